/* moi_email_valid and moi_domain_valid: sign-up addresses and the
 * MoisInnoAllowedDomains directive.
 * Invariants: the limits of moi_parse.h hold for whatever is accepted
 * (lengths, one '@', a domain of [A-Za-z0-9.-] with a dot), an address's
 * domain is itself valid, and lower-casing keeps a valid one valid. */
#include <string.h>
#include <apr_strings.h>
#include "moi_parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    char *s = fuzz_cstr(data, size);
    size_t len = strlen(s);

    if (moi_domain_valid(s)) {
        FUZZ_CHECK(len >= 3 && len <= 253 && strchr(s, '.'));
        FUZZ_CHECK(strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
                   len);
        FUZZ_CHECK(s[0] != '.' && s[0] != '-' && s[len - 1] != '.' && s[len - 1] != '-');
        FUZZ_CHECK(!strstr(s, "..") && !strstr(s, ".-") && !strstr(s, "-."));
        FUZZ_CHECK(moi_domain_valid(moi_ascii_lower(p, s)));
        FUZZ_CHECK(moi_domain_matches(s, s));
        FUZZ_CHECK(moi_domain_matches(apr_pstrcat(p, "x.", s, NULL), s));
    }
    if (moi_email_valid(s)) {
        const char *at = strchr(s, '@');
        FUZZ_CHECK(len <= 254 && at && !strchr(at + 1, '@'));
        FUZZ_CHECK(at > s && at - s <= 64 && s[0] != '.' && at[-1] != '.');
        FUZZ_CHECK(!strstr(s, ".."));
        FUZZ_CHECK(moi_domain_valid(at + 1));
        FUZZ_CHECK(moi_email_valid(moi_ascii_lower(p, s)));
        for (const char *c = s; *c; c++) {
            FUZZ_CHECK((unsigned char)*c > 0x20 && (unsigned char)*c < 0x7F);
        }
    }
    moi_domain_matches(s, "gouv.fr");
    moi_dbname_valid(s);
    free(s);
    fuzz_pool_done(p);
    return 0;
}
