/* Time zones read from the system's compiled tz database (TZif files, RFC 8536).
 *
 * A zone is loaded once (at configuration time) and is immutable afterwards,
 * so one moi_tz can be shared by every thread of every child.  Nothing here
 * touches the process environment (TZ) or the C library's time zone state.
 *
 * Instants are apr_time_t (microseconds since the epoch, UTC, without leap
 * seconds); local times are proleptic Gregorian wall-clock fields.  Between
 * the zone's recorded transitions the TZif table is used; after the last one,
 * the POSIX TZ rule of the file's footer, so dates after 2037 stay right.
 */
#ifndef MOI_TZ_H
#define MOI_TZ_H

#include <apr_pools.h>
#include <apr_time.h>

/* Where the tzdata package installs the compiled zones. */
#define MOI_TZ_DIR "/usr/share/zoneinfo"

/* Results of moi_tz_from_local() besides 0. */
#define MOI_TZ_INVALID -1     /* a field is out of range (month 13, 24:00, ...) */
#define MOI_TZ_NONEXISTENT -2 /* skipped by a clock change (spring forward) */

typedef struct moi_tz moi_tz; /* immutable once loaded: safe to share between threads */

/* A zone name that moi_tz_load() accepts: non-empty, at most 255 bytes of
 * [A-Za-z0-9/_+-], no leading '/', no "..".  Returns 1 or 0. */
int moi_tz_name_valid(const char *name);

/* Loads zone name (e.g. "Europe/Paris") from dir (NULL = MOI_TZ_DIR); every
 * allocation comes from p and lives as long as p.  Returns NULL and sets
 * *err (English, for the admin log, from p) when the name is not valid, the
 * file cannot be read, or it is not a well-formed TZif file.  Zones with
 * leap-second tables ("right/...") are refused. */
moi_tz *moi_tz_load(apr_pool_t *p, const char *dir, const char *name, const char **err);

/* The name the zone was loaded under. */
const char *moi_tz_name(const moi_tz *tz);

/* UTC offset in seconds east of UTC at instant t. */
int moi_tz_offset_at(const moi_tz *tz, apr_time_t t);

/* 1 when daylight-saving time is in effect at instant t, else 0. */
int moi_tz_isdst_at(const moi_tz *tz, apr_time_t t);

/* The abbreviation in use at instant t ("CET", "CEST", "+04"); it lives as
 * long as the zone. */
const char *moi_tz_abbrev_at(const moi_tz *tz, apr_time_t t);

/* The instant of a local wall-clock time (y-m-d h:mi:s, year 1..9999,
 * hour 0..23, second 0..59) in tz.  Returns 0 and sets *out on success.
 * For a time in a gap (spring forward, does not exist) returns
 * MOI_TZ_NONEXISTENT; for an ambiguous time (fall back) picks the earlier
 * instant (the first occurrence) and returns 0; for out-of-range fields
 * returns MOI_TZ_INVALID.  *out is untouched on failure. */
int moi_tz_from_local(const moi_tz *tz, int y, int mo, int d, int h, int mi, int s,
                      apr_time_t *out);

/* 1 when the local time of instant t is also that of another instant
 * (the hour a fall-back repeats: either pass), else 0. */
int moi_tz_local_repeated(const moi_tz *tz, apr_time_t t);

/* The local date and time of instant t in tz (sub-second part dropped,
 * rounding towards the past). */
void moi_tz_to_local(const moi_tz *tz, apr_time_t t, int *y, int *mo, int *d, int *h,
                     int *mi, int *s);

#endif
