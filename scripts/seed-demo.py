#!/usr/bin/env python3
"""Seeds the demo programme of the Mois de l'innovation publique 2022.

Writes a demo organiser, a demo admin and a few dozen events (DESIGN §5)
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

CITIES = [  # department, city, venue, address
    ("75", "Paris", "Centre de conférences ministériel", "139 rue de Bercy"),
    ("69", "Lyon", "Hôtel de région", "1 esplanade François-Mitterrand"),
    ("13", "Marseille", "Préfecture des Bouches-du-Rhône", "Place Félix-Baret"),
    ("33", "Bordeaux", "Cité municipale", "4 rue Claude-Bonnier"),
    ("59", "Lille", "Préfecture du Nord", "12 rue Jean-Sans-Peur"),
    ("35", "Rennes", "Laboratoire d'innovation publique", "2 rue d'Isly"),
    ("67", "Strasbourg", "Maison de la région", "1 place Adrien-Zeller"),
    ("31", "Toulouse", "Centre des congrès", "11 esplanade Compans-Caffarelli"),
    ("44", "Nantes", "Médiathèque Jacques-Demy", "24 quai de la Fosse"),
    ("2A", "Ajaccio", "Collectivité de Corse", "22 cours Grandval"),
    ("974", "Saint-Denis", "Préfecture de La Réunion", "Place du Barachois"),
    ("971", "Basse-Terre", "Conseil départemental", "Boulevard Félix-Éboué"),
    ("972", "Fort-de-France", "Collectivité territoriale de Martinique", "Rue Gaston-Defferre"),
    ("973", "Cayenne", "Collectivité territoriale de Guyane", "4179 route de Montabo"),
    ("976", "Mamoudzou", "Conseil départemental", "8 rue de l'Hôpital"),
    ("21", "Dijon", "Palais des ducs", "Place de la Libération"),
    ("45", "Orléans", "Hôtel de région", "9 rue Saint-Pierre-Lentin"),
    ("14", "Caen", "Abbaye aux Dames", "Place Reine-Mathilde"),
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


def events(organiser, deps, now):
    out = []
    for i in range(36):
        title, summary = THEMES[i % len(THEMES)]
        fmt = ["presentiel", "en_ligne", "hybride"][i % 3]
        day = 2 + (i * 5) % 29  # 2..30 November
        hour = 9 + (i % 8)
        etype = TYPES[i % len(TYPES)]
        if etype == "webinaire":
            fmt = "en_ligne"
        doc = {
            "_id": fixed_id(2, i + 1),
            "edition": 2022,
            "organizer_id": organiser["_id"],
            "title": title if i < len(THEMES) else f"{title} ({i // len(THEMES) + 1})",
            "summary": summary,
            "description": summary + "\n\nCet événement fait partie du programme du Mois de "
            "l'innovation publique. Inscription gratuite, dans la limite des places disponibles.",
            "type": etype,
            "format": fmt,
            "audience": [AUDIENCES[i % 5]] + ([AUDIENCES[(i + 2) % 5]] if i % 2 else []),
            "accessibility": [ACCESS[j] for j in range(5) if (i + j) % 3 == 0],
            "lab": i % 4 == 3,
            "organizer_name": organiser["name"],
            "organization": organiser["organization"],
            "status": "published" if i % 9 else "submitted",
            "rejection_reason": None,
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "online_url": None,
            "registration_url": None,
            "region": None, "department": None, "city": None, "venue": None, "address": None,
        }
        if i == 20:
            doc["status"] = "cancelled"
        if fmt in ("presentiel", "hybride"):
            code, city, venue, address = CITIES[i % len(CITIES)]
            dep = deps[code]
            doc.update(region=dep["region_code"], department=code, city=city, venue=venue,
                       address=address)
            tz = dep["timezone"]
        else:
            tz = "Europe/Paris"
        if fmt in ("en_ligne", "hybride"):
            doc["online_url"] = f"https://visio.example.gouv.fr/mois-innovation/{i + 1}"
            doc["registration_url"] = f"https://www.modernisation.gouv.fr/inscription/{i + 1}"
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
    args = ap.parse_args(argv)

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    client = pymongo.MongoClient(args.uri, serverSelectionTimeoutMS=10000)
    db = client[args.database]
    organiser = account(*ORGANISER, 1, now)
    admin = account(*ADMIN, 2, now)
    for acc in (organiser, admin):
        db.organizers.delete_many({"email": acc["email"], "_id": {"$ne": acc["_id"]}})
        db.organizers.replace_one({"_id": acc["_id"]}, acc, upsert=True)
    docs = events(organiser, departements(), now)
    for doc in docs:
        db.events.replace_one({"_id": doc["_id"]}, doc, upsert=True)
    print(f"{len(docs)} événements de démonstration en place dans {args.database}")
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
