/* The programme taken away: iCalendar (RFC 5545), CSV (RFC 4180), Atom
 * (RFC 4287) and JSON.  Pure functions from events to text; the glue adds
 * headers and caching.
 *
 * events: array of const moi_event * (published or cancelled), already
 * filtered and sorted; tz_lookup gives each event's zone by name.
 * base_url: absolute URL of the application's base, without trailing slash
 * ("https://www.modernisation.gouv.fr/mois-innovation"); event pages are
 * base_url + "/evenements/" + id.
 */
#ifndef MOI_EXPORT_H
#define MOI_EXPORT_H

#include "moi_event.h"

typedef const moi_tz *(*moi_tz_lookup_fn)(void *baton, const char *name);

/* A VCALENDAR with one VEVENT per event (UID id@host of base_url,
 * DTSTAMP = updated_at in UTC, DTSTART/DTEND with TZID and one VTIMEZONE
 * per zone used, covering the events' dates; SUMMARY, DESCRIPTION (summary,
 * description and the page URL), LOCATION, URL, STATUS:CONFIRMED or
 * CANCELLED, CATEGORIES (type label), SEQUENCE = version - 1); text escaped
 * (\\ ; , newline) and lines folded at 75 octets without splitting a UTF-8
 * sequence; CRLF line ends.  calname: X-WR-CALNAME. */
const char *moi_export_ical(apr_pool_t *p, const apr_array_header_t *events,
                            moi_tz_lookup_fn tz_lookup, void *baton, const char *base_url,
                            const char *calname);

/* CSV with a header row (French column names) and one row per event:
 * id, titre, resume, type, format, statut, debut, fin (RFC 3339 in the
 * event's zone), fuseau, region, departement, ville, lieu, adresse,
 * lien_connexion, lien_inscription, public, accessibilite, laboratoire,
 * organisateur, organisation, url.  UTF-8, CRLF, cells neutralised. */
const char *moi_export_csv(apr_pool_t *p, const apr_array_header_t *events,
                           moi_tz_lookup_fn tz_lookup, void *baton, const char *base_url);

/* The same two documents in parts, for programmes too large to build in
 * one piece: the head (for iCalendar, with the VTIMEZONEs of every event
 * given), then the events [from, to) in as many calls as wanted, then the
 * tail.  Put together in order, the parts are the documents above, byte
 * for byte. */
const char *moi_export_ical_head(apr_pool_t *p, const apr_array_header_t *events,
                                 moi_tz_lookup_fn tz_lookup, void *baton, const char *calname);
const char *moi_export_ical_events(apr_pool_t *p, const apr_array_header_t *events, int from,
                                   int to, moi_tz_lookup_fn tz_lookup, void *baton,
                                   const char *base_url);
const char *moi_export_ical_tail(void);
const char *moi_export_csv_head(void);
const char *moi_export_csv_rows(apr_pool_t *p, const apr_array_header_t *events, int from,
                                int to, moi_tz_lookup_fn tz_lookup, void *baton,
                                const char *base_url);

/* An Atom feed of the events (the caller passes at most 50, most recently
 * changed first): feed id/self link from feed_url, updated = the newest
 * updated_at; one entry per event with id (tag: or page URL), title,
 * updated, link to the page, summary (text: date, place, summary), and
 * "Annulé" in the title of a cancelled event. */
const char *moi_export_atom(apr_pool_t *p, const apr_array_header_t *events,
                            moi_tz_lookup_fn tz_lookup, void *baton, const char *base_url,
                            const char *feed_url, const char *title);

/* The schema.org Event JSON-LD of one event, safe to put inside a
 * <script type="application/ld+json"> element ("<" escaped as \u003c). */
const char *moi_export_jsonld(apr_pool_t *p, const moi_event *ev, const moi_tz *tz,
                              const char *page_url);

#endif
