"""Helpers for the event tests: valid events as form fields and as JSON, an
organiser client that speaks both the forms and the API, a reader of the
values a form page shows, and ways to look into the database."""
import secrets
from html.parser import HTMLParser

from bson import ObjectId

from accounts_helpers import new_account, unique_email

# The fields of the API's event JSON (DESIGN §7).
EVENT_JSON_FIELDS = {
    "id", "title", "summary", "description", "type", "format", "audience", "accessibility",
    "starts_at", "ends_at", "timezone", "region", "department", "city", "venue", "address",
    "online_url", "registration_url", "lab", "organizer_name", "organization", "status", "url",
    "created_at", "updated_at", "version",
}


def tag():
    """A word no other event contains (for the search filter)."""
    return "zx" + secrets.token_hex(5)


def valid_form(**over):
    """The fields of a valid in-person event in Bordeaux (Gironde, 33, in
    Nouvelle-Aquitaine, 75), as the form sends them.  A value of None drops
    the field; lists are repeated fields."""
    f = {
        "title": "Atelier « design des politiques publiques » " + tag(),
        "summary": "Une matinée pour tester ensemble un parcours usager.",
        "description": "Programme : accueil, ateliers en petits groupes, restitution.\r\nInscription conseillée.",
        "type": "atelier_participatif",
        "format": "presentiel",
        "audience": ["agents", "elus"],
        "accessibility": ["moteur", "auditif"],
        "starts_at": "2022-11-10T09:00",
        "ends_at": "2022-11-10T12:30",
        "region": "75",
        "department": "33",
        "city": "Bordeaux",
        "venue": "Préfecture de la Gironde",
        "address": "2 esplanade Charles-de-Gaulle",
        "online_url": "",
        "registration_url": "https://www.demarches-simplifiees.fr/commencer/atelier",
        "organizer_name": "Camille Agent",
        "organization": "Préfecture de la Gironde",
        "lab": "1",
    }
    f.update(over)
    return {k: v for k, v in f.items() if v is not None}


def valid_json(**over):
    """A valid online event as the API takes it (times in RFC 3339).  None
    is JSON null; a value of ... drops the field."""
    d = {
        "title": "Webinaire « achats innovants » " + tag(),
        "summary": "Présentation des achats innovants dans le secteur public.",
        "description": "Avec la Direction des achats de l'État.",
        "type": "webinaire",
        "format": "en_ligne",
        "audience": ["agents", "encadrants"],
        "accessibility": ["auditif"],
        "starts_at": "2022-11-15T14:00:00+01:00",
        "ends_at": "2022-11-15T15:30:00+01:00",
        "region": None,
        "department": None,
        "city": None,
        "venue": None,
        "address": None,
        "online_url": "https://webinaire.exemple.gouv.fr/salle-1",
        "registration_url": None,
        "lab": False,
        "organizer_name": "Dominique Agent",
        "organization": "Direction des achats de l'État",
    }
    d.update(over)
    return {k: v for k, v in d.items() if v is not ...}


def form_items(fields, csrf=None, version=None):
    """A dict of fields (lists repeated) as a list of (name, value)."""
    items = []
    if csrf is not None:
        items.append(("csrf", csrf))
    if version is not None:
        items.append(("version", str(version)))
    for k, v in fields.items():
        if isinstance(v, (list, tuple)):
            items.extend((k, x) for x in v)
        else:
            items.append((k, v))
    return items


class Organiser:
    """An organiser logged in through the sign-up form, with the session's
    CSRF token for the forms and the API."""

    def __init__(self, httpd, email=None, name="Camille Agent",
                 organization="Préfecture de la Gironde"):
        self.httpd = httpd
        self.c, self.email = new_account(httpd, email or unique_email("orga"), name=name,
                                         organization=organization)
        self.csrf = self.c.session_csrf()
        self.cookie = self.c.token

    def close(self):
        self.c.close()

    # -- raw requests
    def get(self, path, **kw):
        return self.c.get(path, **kw)

    def post_form(self, path, items, csrf=True):
        """POSTs form fields (dict or list of pairs) with the session's csrf."""
        if isinstance(items, dict):
            items = form_items(items)
        if csrf is True:
            items = [("csrf", self.csrf)] + list(items)
        return self.c.post(path, items)

    def api(self, method, path, body=..., headers=None, csrf=True, **kw):
        h = {}
        if csrf is True:
            h["X-CSRF-Token"] = self.csrf
        elif csrf:
            h["X-CSRF-Token"] = csrf
        h.update(headers or {})
        if body is not ...:
            kw["json"] = body
        return self.c.request(method, "/api/v1/events" + path, headers=h, **kw)

    # -- event forms
    def create_form(self, **over):
        """Creates an event through the form; returns (response, fields)."""
        fields = valid_form(**over)
        return self.post_form("/espace/evenements/nouveau", fields), fields

    def edit_form(self, event_id, fields, version):
        items = [("version", str(version))] + form_items(fields)
        return self.post_form(f"/espace/evenements/{event_id}/modifier", items)

    def cancel_form(self, event_id, version):
        return self.post_form(f"/espace/evenements/{event_id}/annuler",
                              [("version", str(version))])

    def delete_form(self, event_id, version):
        return self.post_form(f"/espace/evenements/{event_id}/supprimer",
                              [("version", str(version))])

    def create_api(self, **over):
        """Creates an event through the API; returns the response (201)."""
        return self.api("POST", "", valid_json(**over))


# ---- database -----------------------------------------------------------------


def announce_change(mdb):
    """What a writer other than the module does after changing events: bump
    the change counter the children check (README, "Writing events from
    outside the module")."""
    mdb.programme_state.update_one({"_id": "events"}, {"$inc": {"seq": 1}}, upsert=True)


def organizer_oid(mdb, email):
    return mdb.organizers.find_one({"email": email.lower()})["_id"]


def event_by_title(mdb, title):
    docs = list(mdb.events.find({"title": title}))
    assert len(docs) == 1, f"{len(docs)} events titled {title!r}"
    return docs[0]


def event_doc(mdb, event_id):
    return mdb.events.find_one({"_id": ObjectId(event_id)})


def history(mdb, event_id):
    return list(mdb.event_history.find({"event_id": ObjectId(event_id)}).sort([("at", 1),
                                                                              ("_id", 1)]))


def state(mdb, event_id):
    """The stored event and its history, to compare before and after."""
    return event_doc(mdb, event_id), [(h["action"], h.get("fields")) for h in history(mdb, event_id)]


# ---- HTML -----------------------------------------------------------------------


class EventFormScan(HTMLParser):
    """The values the event form of a page shows (the form posting to
    …/nouveau or …/modifier), plus every element's attributes by id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values = {}
        self.ids = {}
        self._in_form = False
        self._select = None
        self._textarea = None

    def _put(self, name, value, multi=False):
        if multi:
            self.values.setdefault(name, []).append(value)
        else:
            self.values[name] = value

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids[a["id"]] = (tag, a)
        if tag == "form":
            action = a.get("action", "")
            self._in_form = action.endswith("/nouveau") or action.endswith("/modifier")
            return
        if not self._in_form:
            return
        if tag == "input":
            name, typ = a.get("name"), a.get("type", "text")
            if not name:
                return
            if typ == "checkbox":
                self.values.setdefault(name, [])
                if "checked" in a:
                    self.values[name].append(a.get("value", "on"))
            else:
                self._put(name, a.get("value", ""))
        elif tag == "select":
            self._select = a.get("name")
            self.values.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def scan_event_form(html_text):
    s = EventFormScan()
    s.feed(html_text)
    return s


def error_summary(html_text):
    """The error summary at the top of a form page ('' when none)."""
    i = html_text.find('class="erreurs"')
    if i < 0:
        return ""
    j = html_text.find("</div>", i)
    return html_text[i:j]
