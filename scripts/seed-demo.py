#!/usr/bin/env python3
"""Seeds the demo programme of the Mois de l'innovation publique 2022.

Writes a demo organiser, a demo admin and 360 events (--count N for more) (DESIGN §5)
into the database; running it again puts the same documents back (fixed
ids), so `make run` can be started any number of times.

    seed-demo.py --uri mongodb://127.0.0.1:27018/ --database moisinno
"""
import argparse
import csv
import datetime as dt
import os
import sys
from zoneinfo import ZoneInfo

import nacl.pwhash
import pymongo
from bson import ObjectId

HERE = os.path.dirname(os.path.abspath(__file__))
DEPARTEMENTS = os.path.join(HERE, "..", "data", "departements.csv")

ORGANISER = ("organisatrice@demo.gouv.fr", "Demonstration-2022", "Camille Martin",
             "Direction interministérielle de la transformation publique", "etat")
ADMIN = ("moderation@demo.gouv.fr", "Moderation-2022!", "Équipe DITP",
         "Direction interministérielle de la transformation publique", "etat")

TYPES = ["presentation_initiative", "atelier_participatif", "table_ronde",
         "session_creative", "demonstration_outil", "exposition", "visite",
         "conference", "webinaire", "autre"]
AUDIENCES = ["agents", "encadrants", "elus", "usagers", "grand_public"]
ACCESS = ["moteur", "auditif", "visuel", "mental", "psychique"]

THEMES = [
    ("Simplifier les démarches avec les usagers", "Retour d'expérience d'une équipe qui a refondu un formulaire avec ses usagers."),
    ("Le design des politiques publiques en pratique", "Atelier pour découvrir les outils du design de service appliqués à l'action publique."),
    ("Intelligence artificielle et service public", "Table ronde sur les usages responsables de l'IA dans les administrations."),
    ("Laboratoire d'innovation territoriale : portes ouvertes", "Visite du laboratoire et présentation de ses projets en cours."),
    ("Données ouvertes : de la publication à l'usage", "Démonstration d'outils pour exploiter les données publiques."),
    ("Accueil des usagers : réinventer le guichet", "Session créative autour de l'accueil physique et numérique."),
    ("Sobriété numérique dans les services", "Conférence sur la réduction de l'empreinte environnementale du numérique public."),
    ("Participation citoyenne locale", "Présentation d'initiatives de budgets participatifs et de conventions citoyennes."),
    ("Management et innovation : libérer les initiatives", "Échanges entre encadrants sur l'accompagnement des agents innovants."),
    ("Exposition : 20 ans d'innovation à l'hôpital", "Exposition des projets menés par les équipes soignantes et administratives."),
    ("Le langage clair dans les courriers administratifs", "Atelier de réécriture de courriers avec la méthode du langage clair."),
    ("Webinaire : piloter un projet agile dans l'État", "Retours d'expérience de startups d'État et d'équipes produit."),
]

def departements():
    with open(DEPARTEMENTS, newline="", encoding="utf-8") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


def fixed_id(kind, n):
    return ObjectId(f"{kind:08x}{n:016x}")


def password_hash(password):
    return nacl.pwhash.argon2id.str(password.encode()).decode()


def account(email, password, name, org, org_type, n, now):
    return {
        "_id": fixed_id(1, n),
        "email": email,
        "password_hash": password_hash(password),
        "name": name,
        "organization": org,
        "organization_type": org_type,
        "created_at": now,
        "failed_logins": 0,
        "locked_until": None,
    }


ORGS = [
    ("Préfecture de région", "etat"), ("Conseil départemental", "collectivite"),
    ("Centre hospitalier universitaire", "sanitaire_social"), ("Mairie", "collectivite"),
    ("Direction régionale des finances publiques", "etat"),
    ("Caisse d'allocations familiales", "sanitaire_social"),
    ("Laboratoire d'innovation territoriale", "collectivite"), ("Rectorat", "etat"),
]


def events(organiser, deps, now, count=360):
    """count deterministic events over 2-30 November 2022: every region and
    the online "national" bucket, every format and type, some cancelled,
    some waiting for moderation or refused, some by territorial labs."""
    by_region = {}
    for code, dep in sorted(deps.items()):
        by_region.setdefault(dep["region_code"], []).append(dep)
    regions = sorted(by_region)
    out = []
    for i in range(count):
        title, summary = THEMES[i % len(THEMES)]
        etype = TYPES[(i * 7) % len(TYPES)]
        fmt = ["presentiel", "en_ligne", "hybride", "presentiel"][i % 4]
        if etype == "webinaire":
            fmt = "en_ligne"
        org_name, _ = ORGS[i % len(ORGS)]
        day = 2 + (i * 11) % 29
        hour = 8 + (i * 5) % 10
        doc = {
            "_id": fixed_id(2, i + 1),
            "edition": 2022,
            "organizer_id": organiser["_id"],
            "title": f"{title} — {i + 1}",
            "summary": summary,
            "description": summary + "\n\nCet événement fait partie du programme du Mois de "
            "l'innovation publique. Inscription gratuite, dans la limite des places disponibles.",
            "type": etype,
            "format": fmt,
            "audience": sorted({AUDIENCES[i % 5], AUDIENCES[(i * 3 + 1) % 5]}),
            "accessibility": [ACCESS[j] for j in range(5) if (i + j) % 3 == 0],
            "lab": i % 7 == 3,
            "organizer_name": organiser["name"],
            "organization": org_name,
            "status": "published",
            "rejection_reason": None,
            "created_at": now,
            "updated_at": now - dt.timedelta(minutes=i),
            "version": 1,
            "online_url": None,
            "registration_url": None,
            "region": None, "department": None, "city": None, "venue": None, "address": None,
        }
        if i % 23 == 5:
            doc["status"] = "cancelled"
        elif i % 29 == 7:
            doc["status"] = "submitted"
        elif i % 41 == 9:
            doc["status"] = "rejected"
            doc["rejection_reason"] = "Merci de préciser le programme et l'adresse exacte."
        tz = "Europe/Paris"
        if fmt in ("presentiel", "hybride"):
            region = regions[i % len(regions)]
            dep = by_region[region][(i // len(regions)) % len(by_region[region])]
            doc.update(region=region, department=dep["code"], city=dep["name"],
                       venue=f"Salle {['Marianne', 'des fêtes', 'du conseil', 'Jean-Moulin'][i % 4]}",
                       address=f"{1 + i % 90} rue de la République")
            tz = dep["timezone"]
        if fmt in ("en_ligne", "hybride"):
            doc["online_url"] = f"https://webinaire.exemple.gouv.fr/mois-innovation/{i + 1}"
            doc["registration_url"] = f"https://www.exemple.gouv.fr/inscription/{i + 1}"
        zone = ZoneInfo(tz)
        start = dt.datetime(2022, 11, day, hour, 30 if i % 2 else 0, tzinfo=zone)
        end = start + dt.timedelta(hours=1 + i % 3)
        doc["timezone"] = tz
        doc["starts_at"] = start.astimezone(dt.timezone.utc)
        doc["ends_at"] = end.astimezone(dt.timezone.utc)
        out.append(doc)
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--uri", required=True)
    ap.add_argument("--database", default="moisinno")
    ap.add_argument("--count", type=int, default=360,
                    help="number of events (default 360)")
    args = ap.parse_args(argv)

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    client = pymongo.MongoClient(args.uri, serverSelectionTimeoutMS=10000)
    db = client[args.database]
    organiser = account(*ORGANISER, 1, now)
    admin = account(*ADMIN, 2, now)
    for acc in (organiser, admin):
        db.organizers.delete_many({"email": acc["email"], "_id": {"$ne": acc["_id"]}})
        db.organizers.replace_one({"_id": acc["_id"]}, acc, upsert=True)
    docs = events(organiser, departements(), now, args.count)
    db.events.delete_many({"_id": {"$in": [d["_id"] for d in docs]}})
    for i in range(0, len(docs), 1000):
        db.events.insert_many(docs[i:i + 1000])
    # Tells running children that the programme changed (README).
    db.programme_state.update_one({"_id": "events"}, {"$inc": {"seq": 1}}, upsert=True)
    print(f"{len(docs)} événements de démonstration en place dans {args.database}")
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
