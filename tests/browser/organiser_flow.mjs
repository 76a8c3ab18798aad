// Browser test of the organiser pages: sign-up (first refused, then
// accepted), logout, login, organiser space, then an event created through
// the form (first refused, then accepted) and its page — in Debian's
// Chromium (/usr/bin/chromium), driven by playwright-core. No browser is
// downloaded.
//
// Usage: node organiser_flow.mjs BASE_URL OUTPUT_DIR
//   BASE_URL    e.g. http://127.0.0.1:8080/mois-innovation
//               (or the environment variable MOISINNO_BASE_URL)
//   OUTPUT_DIR  where the screenshots (PNG) go, created if missing
//               (or MOISINNO_BROWSER_OUT; default var/test-output/browser)
//   CHROMIUM    the browser to drive (default /usr/bin/chromium)
//
// Prints one line per step; exits 0 when every step passed, 1 with a clear
// message (and a screenshot echec.png) on the first failure, 2 on bad usage.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";

let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (e) {
  console.error(
    "ÉCHEC : playwright-core est introuvable (tests/browser/node_modules) ; " +
      "lancez scripts/install-deps.\n" + e.message,
  );
  process.exit(1);
}

const base = (process.argv[2] || process.env.MOISINNO_BASE_URL || "").replace(/\/+$/, "");
const outDir = path.resolve(
  process.argv[3] || process.env.MOISINNO_BROWSER_OUT || "var/test-output/browser",
);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
if (!/^https?:\/\//.test(base)) {
  console.error("usage : node organiser_flow.mjs BASE_URL [OUTPUT_DIR]");
  process.exit(2);
}
if (!fs.existsSync(executablePath)) {
  console.error(
    `ÉCHEC : Chromium est introuvable (${executablePath}) ; lancez scripts/install-deps.`,
  );
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });

const STEP_TIMEOUT = 15000;
const stamp = `${Date.now()}-${process.pid}`;
const account = {
  email: `zoe.lefevre.${stamp}@exemple.gouv.fr`,
  password: "Innovation publique 2022 !",
  name: "Zoé Lefèvre",
  organization: "Préfecture de la Gironde",
  organizationType: "etat",
};

class StepFailure extends Error {}

function check(cond, message) {
  if (!cond) {
    throw new StepFailure(message);
  }
}

let stepNo = 0;
let currentStep = "(démarrage)";
async function step(title, fn) {
  currentStep = title;
  stepNo += 1;
  await fn();
  console.log(`ok ${String(stepNo).padStart(2)} — ${title}`);
}

// The form fields, found by their French labels (so that the test also checks
// that every field has its label). A required field's label ends with
// "(obligatoire)", hence the anchored patterns rather than exact names.
const signupLabels = {
  email: /^Adresse électronique professionnelle/,
  password: /^Mot de passe/,
  password_confirm: /^Confirmation du mot de passe/,
  name: /^Nom et prénom/,
  organization: /^Organisation/,
  organization_type: /^Type d'organisation/,
};
const loginLabels = {
  email: /^Adresse électronique/,
  password: /^Mot de passe/,
};
const eventLabels = {
  title: /^Titre/,
  summary: /^Résumé/,
  description: /^Description/,
  type: /^Type d'événement/,
  format: /^Format/,
  audience: /^Public visé/,
  starts_at: /^Début/,
  ends_at: /^Fin/,
  region: /^Région/,
  department: /^Département/,
  city: /^Ville/,
  address: /^Adresse/,
  registration_url: /^Lien d'inscription/,
  organizer_name: /^Nom de l'organisateur/,
  organization: /^Organisation/,
};

// The event created through the form: in Rennes (Ille-et-Vilaine, Bretagne),
// during the 2022 edition.
const event = {
  title: `Atelier design des politiques publiques ${stamp}`,
  summary: "Un atelier pour concevoir un service public avec ses usagers.",
  description:
    "Programme de la matinée :\n\nAccueil, présentation de la démarche, " +
    "puis travail en groupes sur un parcours d'usager.",
  type: "atelier_participatif",
  format: "presentiel",
  audience: "Agents publics",
  startsAt: "2022-11-15T09:30",
  endsAt: "2022-11-15T11:00",
  region: "53", // Bretagne
  department: "35", // Ille-et-Vilaine
  city: "Rennes",
  address: "3 avenue de la Préfecture",
  registrationUrl: "https://inscription.exemple.gouv.fr/atelier-design",
};

async function isFocused(locator) {
  return locator.evaluate((el) => el === document.activeElement);
}

async function activeId(page) {
  return page.evaluate(() => (document.activeElement ? document.activeElement.id : null));
}

// The form field labelled `label` (there must be exactly one), checked to
// be the control with the id `id`.
async function field(page, label, id) {
  const f = page.getByLabel(label);
  check((await f.count()) === 1, `${await f.count()} champs ont pour étiquette ${label}, attendu 1`);
  const got = await f.getAttribute("id");
  check(got === id, `l'étiquette ${label} désigne #${got}, pas #${id}`);
  return f;
}

// Checks that the field labelled `label` has the id `id` (the label is tied
// to the right control) and that it holds the keyboard focus.
async function expectFocus(page, label, id) {
  const field = page.getByLabel(label);
  check((await field.count()) === 1, `aucun champ unique n'a pour étiquette ${label}`);
  check(
    (await field.getAttribute("id")) === id,
    `l'étiquette ${label} désigne #${await field.getAttribute("id")}, pas #${id}`,
  );
  check(
    await isFocused(field),
    `le focus est sur #${await activeId(page)}, pas sur le champ ${label} (#${id})`,
  );
  return field;
}

// Sends the form with the keyboard (Enter on the submit button) and returns
// the response to the POST (before any redirect).
async function submitWith(page, button, postPath) {
  await button.focus();
  return sendAndLoad(page, postPath, () => page.keyboard.press("Enter"));
}

// Runs `action`, which sends a form by POST to a path ending in `postPath`;
// returns the response to that POST once the resulting page has loaded.
async function sendAndLoad(page, postPath, action) {
  const [resp] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === "POST" && new URL(r.url()).pathname.endsWith(postPath),
    ),
    page.waitForEvent("load"),
    action(),
  ]);
  return resp;
}

async function expectTitleAndLang(page, titleStart) {
  const lang = await page.evaluate(() => document.documentElement.lang);
  check(lang === "fr", `<html lang> vaut « ${lang} », pas « fr »`);
  const title = await page.title();
  check(title.startsWith(titleStart), `le titre de la page est « ${title} », attendu « ${titleStart}… »`);
}

async function expectOrganiserSpace(page, where) {
  const url = new URL(page.url());
  check(
    url.origin + url.pathname === `${base}/espace`,
    `${where} : la page atteinte est ${page.url()}, pas ${base}/espace`,
  );
  const h1 = page.getByRole("heading", { level: 1 });
  check(
    (await h1.textContent()).trim() === "Mon espace organisateur",
    `${where} : le titre principal est « ${(await h1.textContent()).trim()} »`,
  );
  const main = await page.locator("main").innerText();
  check(
    main.includes(`Bonjour ${account.name} (${account.organization})`),
    `${where} : l'espace ne salue pas « ${account.name} (${account.organization}) » :\n${main}`,
  );
  check(main.includes(account.email), `${where} : l'espace ne montre pas l'adresse du compte`);
  const logout = page.getByRole("button", { name: `Se déconnecter (${account.name})` });
  check((await logout.count()) === 1, `${where} : pas de bouton « Se déconnecter (${account.name}) »`);
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "moisinno-chromium-"));
let context;
let page;
const pageErrors = [];
let status = 0;
try {
  await step(`lancement de ${executablePath} (sans interface)`, async () => {
    // A persistent context on a fresh, temporary profile directory: the
    // same as --user-data-dir, which playwright-core takes this way.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      timeout: 60000,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      locale: "fr-FR",
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(STEP_TIMEOUT);
    context.setDefaultNavigationTimeout(STEP_TIMEOUT);
    page = context.pages()[0] || (await context.newPage());
    page.on("pageerror", (e) => pageErrors.push(`erreur JavaScript : ${e.message}`));
    // Console errors, except Chromium's "Failed to load resource" lines,
    // which the expected 4xx pages (422, 401) also produce; failed
    // subresources (style sheet, script) are caught below instead.
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
        pageErrors.push(`console : ${m.text()}`);
      }
    });
    page.on("response", (r) => {
      const req = r.request();
      // The browser's own request for /favicon.ico is outside the module.
      if (r.status() >= 400 && req.resourceType() !== "document" && !r.url().endsWith("/favicon.ico")) {
        pageErrors.push(`ressource ${req.resourceType()} ${r.url()} → ${r.status()}`);
      }
    });
    page.on("requestfailed", (req) => {
      pageErrors.push(`requête échouée : ${req.url()} (${req.failure() && req.failure().errorText})`);
    });
    const cdp = await context.newCDPSession(page);
    const version = (await cdp.send("Browser.getVersion")).product;
    await cdp.detach();
    console.log(`   ${version}, profil ${userDataDir}, base ${base}`);
  });

  await step("ouverture de /compte/inscription", async () => {
    const resp = await page.goto(`${base}/compte/inscription`);
    check(resp && resp.status() === 200, `GET /compte/inscription → ${resp && resp.status()}`);
    await expectTitleAndLang(page, "Créer un compte");
    const h1 = await page.getByRole("heading", { level: 1 }).textContent();
    check(h1.trim() === "Créer un compte organisateur", `titre principal « ${h1.trim()} »`);
    check(
      (await page.locator("#erreurs").count()) === 0,
      "le formulaire vide affiche déjà un récapitulatif d'erreurs",
    );
    await page.screenshot({ path: path.join(outDir, "inscription.png"), fullPage: true });
  });

  await step("saisie au clavier : adresse invalide et mot de passe trop court", async () => {
    // The first field through its label, then the others with Tab: checks
    // the labels and the keyboard order of the form.
    await page.locator('label[for="email"]').click();
    let field = await expectFocus(page, signupLabels.email, "email");
    await page.keyboard.type("pas-une-adresse");
    await page.keyboard.press("Tab");
    await expectFocus(page, signupLabels.password, "password");
    await page.keyboard.type("court");
    await page.keyboard.press("Tab");
    await expectFocus(page, signupLabels.password_confirm, "password_confirm");
    await page.keyboard.type("court");
    await page.keyboard.press("Tab");
    await expectFocus(page, signupLabels.name, "name");
    await page.keyboard.type(account.name);
    await page.keyboard.press("Tab");
    await expectFocus(page, signupLabels.organization, "organization");
    await page.keyboard.type(account.organization);
    await page.keyboard.press("Tab");
    field = await expectFocus(page, signupLabels.organization_type, "organization_type");
    await field.selectOption(account.organizationType);
    await page.keyboard.press("Tab");
    const submit = page.getByRole("button", { name: "Créer mon compte" });
    check(await isFocused(submit), `après le type d'organisation, Tab mène à #${await activeId(page)}, pas au bouton « Créer mon compte »`);
  });

  await step("envoi refusé : 422 et récapitulatif d'erreurs #erreurs", async () => {
    const resp = await submitWith(
      page,
      page.getByRole("button", { name: "Créer mon compte" }),
      "/compte/inscription",
    );
    check(resp.status() === 422, `POST /compte/inscription (invalide) → ${resp.status()}, attendu 422`);
    const summary = page.locator("#erreurs");
    check((await summary.count()) === 1, "pas de récapitulatif d'erreurs (id « erreurs »)");
    check(await summary.isVisible(), "le récapitulatif d'erreurs n'est pas visible");
    const heading = (await summary.getByRole("heading").first().textContent()).trim();
    check(/^Le formulaire contient/.test(heading), `titre du récapitulatif : « ${heading} »`);
    const toEmail = summary.locator('a[href="#email"]');
    check((await toEmail.count()) === 1, "le récapitulatif n'a pas de lien vers #email");
    check(
      (await summary.locator('a[href="#password"]').count()) === 1,
      "le récapitulatif n'a pas de lien vers #password (mot de passe trop court)",
    );
    await expectTitleAndLang(page, "Créer un compte");
  });

  await step("le focus est sur le récapitulatif d'erreurs (moisinno.js)", async () => {
    try {
      await page.waitForFunction(
        () => document.activeElement && document.activeElement.id === "erreurs",
        null,
        { timeout: 5000 },
      );
    } catch {
      throw new StepFailure(
        `document.activeElement est #${await activeId(page)} ` +
          "au lieu de #erreurs (le script moisinno.js n'a pas placé le focus)",
      );
    }
  });

  await step("le formulaire revient rempli, chaque erreur près de son champ", async () => {
    const email = page.getByLabel(signupLabels.email);
    check((await email.inputValue()) === "pas-une-adresse", "l'adresse saisie n'est pas conservée");
    check((await email.getAttribute("aria-invalid")) === "true", "#email n'a pas aria-invalid=true");
    check(
      ((await email.getAttribute("aria-describedby")) || "").split(/\s+/).includes("email-erreur"),
      "#email n'est pas décrit par son message d'erreur (#email-erreur)",
    );
    check(await page.locator("#email-erreur").isVisible(), "pas de message d'erreur sous l'adresse");
    check(await page.locator("#password-erreur").isVisible(), "pas de message d'erreur sous le mot de passe");
    check((await page.getByLabel(signupLabels.name).inputValue()) === account.name, "le nom n'est pas conservé");
    check(
      (await page.getByLabel(signupLabels.organization_type).inputValue()) === account.organizationType,
      "le type d'organisation n'est pas conservé",
    );
    await page.screenshot({ path: path.join(outDir, "inscription-erreurs.png"), fullPage: true });
  });

  await step("le lien du récapitulatif mène au champ adresse", async () => {
    await page.locator('#erreurs a[href="#email"]').click();
    check(new URL(page.url()).hash === "#email", `après le clic, l'adresse est ${page.url()}`);
    // Following a link to a focusable field's fragment moves the focus there.
    await page
      .waitForFunction(() => document.activeElement && document.activeElement.id === "email", null, {
        timeout: 3000,
      })
      .catch(() => {});
    check(
      (await activeId(page)) === "email",
      `après le clic sur le lien, le focus est sur #${await activeId(page)}, pas sur #email`,
    );
  });

  await step("correction et création du compte → /espace", async () => {
    await page.getByLabel(signupLabels.email).fill(account.email);
    await page.getByLabel(signupLabels.password).fill(account.password);
    await page.getByLabel(signupLabels.password_confirm).fill(account.password);
    const resp = await submitWith(
      page,
      page.getByRole("button", { name: "Créer mon compte" }),
      "/compte/inscription",
    );
    check(resp.status() === 303, `POST /compte/inscription → ${resp.status()}, attendu 303`);
    await expectOrganiserSpace(page, "après l'inscription");
    await expectTitleAndLang(page, "Mon espace");
  });

  await step("déconnexion par le bouton de l'en-tête", async () => {
    const button = page.getByRole("button", { name: `Se déconnecter (${account.name})` });
    const resp = await sendAndLoad(page, "/compte/deconnexion", () => button.click());
    check(resp.ok() || resp.status() === 303, `POST /compte/deconnexion → ${resp.status()}`);
    check(
      (await page.getByRole("button", { name: /^Se déconnecter/ }).count()) === 0,
      "le bouton « Se déconnecter » est encore là après la déconnexion",
    );
    check(
      (await page.getByRole("navigation", { name: "Compte" }).getByRole("link", { name: "Se connecter" }).count()) === 1,
      "l'en-tête ne propose pas « Se connecter » après la déconnexion",
    );
    const notice = page.getByRole("status");
    check(
      (await notice.count()) === 1 && (await notice.textContent()).includes("Vous êtes déconnecté"),
      "pas d'avis « Vous êtes déconnecté » après la déconnexion",
    );
    await page.screenshot({ path: path.join(outDir, "deconnexion.png"), fullPage: true });
  });

  await step("l'espace est fermé une fois déconnecté (renvoi vers la connexion)", async () => {
    await page.goto(`${base}/espace`);
    const url = new URL(page.url());
    check(
      url.origin + url.pathname === `${base}/compte/connexion`,
      `GET /espace sans session mène à ${page.url()}, pas à la page de connexion`,
    );
  });

  await step("connexion par /compte/connexion → /espace", async () => {
    const resp = await page.goto(`${base}/compte/connexion`);
    check(resp && resp.status() === 200, `GET /compte/connexion → ${resp && resp.status()}`);
    await expectTitleAndLang(page, "Se connecter");
    await page.locator('label[for="email"]').click();
    await expectFocus(page, loginLabels.email, "email");
    await page.keyboard.type(account.email);
    await page.keyboard.press("Tab");
    await expectFocus(page, loginLabels.password, "password");
    await page.keyboard.type(account.password);
    await page.screenshot({ path: path.join(outDir, "connexion.png"), fullPage: true });
    // Enter in the password field submits the form.
    const post = await sendAndLoad(page, "/compte/connexion", () => page.keyboard.press("Enter"));
    check(post.status() === 303, `POST /compte/connexion → ${post.status()}, attendu 303`);
    await expectOrganiserSpace(page, "après la connexion");
  });

  await step("capture de l'espace organisateur", async () => {
    await page.screenshot({ path: path.join(outDir, "espace.png"), fullPage: true });
  });

  await step("lien « Référencer un événement » → /espace/evenements/nouveau", async () => {
    const link = page.locator("main a.bouton", { hasText: "Référencer un événement" });
    check((await link.count()) === 1, "l'espace n'a pas de lien-bouton « Référencer un événement »");
    const [resp] = await Promise.all([page.waitForNavigation(), link.click()]);
    check(resp && resp.status() === 200, `GET /espace/evenements/nouveau → ${resp && resp.status()}`);
    const url = new URL(page.url());
    check(
      url.origin + url.pathname === `${base}/espace/evenements/nouveau`,
      `le lien mène à ${page.url()}, pas à ${base}/espace/evenements/nouveau`,
    );
    await expectTitleAndLang(page, "Référencer un événement");
    const h1 = (await page.getByRole("heading", { level: 1 }).textContent()).trim();
    check(h1 === "Référencer un événement", `titre principal « ${h1} »`);
    check((await page.locator("#erreurs").count()) === 0, "le formulaire vide affiche déjà des erreurs");
    const name = await field(page, eventLabels.organizer_name, "organizer_name");
    check(
      (await name.inputValue()) === account.name,
      `le nom de l'organisateur est prérempli avec « ${await name.inputValue()} », pas « ${account.name} »`,
    );
    const org = await field(page, eventLabels.organization, "organization");
    check(
      (await org.inputValue()) === account.organization,
      `l'organisation est préremplie avec « ${await org.inputValue()} », pas « ${account.organization} »`,
    );
  });

  await step("envoi refusé : titre trop court, département hors de la région", async () => {
    await (await field(page, eventLabels.title, "title")).fill("Abc");
    await (await field(page, eventLabels.region, "region")).selectOption(event.region);
    // Gironde (33) is in Nouvelle-Aquitaine, not in Bretagne.
    await (await field(page, eventLabels.department, "department")).selectOption("33");
    const resp = await submitWith(
      page,
      page.getByRole("button", { name: "Enregistrer" }),
      "/espace/evenements/nouveau",
    );
    check(resp.status() === 422, `POST /espace/evenements/nouveau (invalide) → ${resp.status()}, attendu 422`);
    await expectTitleAndLang(page, "Référencer un événement");
    const summary = page.locator("#erreurs");
    check((await summary.count()) === 1, "pas de récapitulatif d'erreurs (id « erreurs »)");
    check(await summary.isVisible(), "le récapitulatif d'erreurs n'est pas visible");
    for (const id of ["title", "department"]) {
      check(
        (await summary.locator(`a[href="#${id}"]`).count()) === 1,
        `le récapitulatif n'a pas de lien vers #${id}`,
      );
    }
    try {
      await page.waitForFunction(
        () => document.activeElement && document.activeElement.id === "erreurs",
        null,
        { timeout: 5000 },
      );
    } catch {
      throw new StepFailure(`le focus est sur #${await activeId(page)}, pas sur #erreurs`);
    }
  });

  await step("le formulaire d'événement revient rempli, erreurs près des champs", async () => {
    const title = await field(page, eventLabels.title, "title");
    check((await title.inputValue()) === "Abc", `le titre saisi n'est pas conservé : « ${await title.inputValue()} »`);
    check((await title.getAttribute("aria-invalid")) === "true", "#title n'a pas aria-invalid=true");
    check(await page.locator("#title-erreur").isVisible(), "pas de message d'erreur sous le titre");
    const dept = await field(page, eventLabels.department, "department");
    check((await dept.inputValue()) === "33", `le département choisi n'est pas conservé : « ${await dept.inputValue()} »`);
    check((await dept.getAttribute("aria-invalid")) === "true", "#department n'a pas aria-invalid=true");
    check(await page.locator("#department-erreur").isVisible(), "pas de message d'erreur sous le département");
    const region = await field(page, eventLabels.region, "region");
    check((await region.inputValue()) === event.region, `la région choisie n'est pas conservée : « ${await region.inputValue()} »`);
    check(
      (await (await field(page, eventLabels.organizer_name, "organizer_name")).inputValue()) === account.name,
      "le nom de l'organisateur n'est pas conservé",
    );
    await page.screenshot({ path: path.join(outDir, "evenement-erreurs.png"), fullPage: true });
  });

  await step("saisie correcte du formulaire d'événement (par les étiquettes)", async () => {
    await (await field(page, eventLabels.title, "title")).fill(event.title);
    await (await field(page, eventLabels.summary, "summary")).fill(event.summary);
    await (await field(page, eventLabels.description, "description")).fill(event.description);
    await (await field(page, eventLabels.type, "type")).selectOption(event.type);
    await (await field(page, eventLabels.format, "format")).selectOption(event.format);
    const audience = page.getByRole("group", { name: eventLabels.audience });
    check((await audience.count()) === 1, "pas de groupe de cases « Public visé »");
    await audience.getByLabel(event.audience, { exact: true }).check();
    await (await field(page, eventLabels.starts_at, "starts_at")).fill(event.startsAt);
    await (await field(page, eventLabels.ends_at, "ends_at")).fill(event.endsAt);
    await (await field(page, eventLabels.region, "region")).selectOption(event.region);
    const dept = await field(page, eventLabels.department, "department");
    await dept.selectOption(event.department);
    const deptText = (await dept.locator("option:checked").textContent()).trim();
    check(deptText === "35 — Ille-et-Vilaine", `département choisi : « ${deptText} »`);
    await (await field(page, eventLabels.city, "city")).fill(event.city);
    await (await field(page, eventLabels.address, "address")).fill(event.address);
    await (await field(page, eventLabels.registration_url, "registration_url")).fill(event.registrationUrl);
    check(
      (await (await field(page, eventLabels.starts_at, "starts_at")).inputValue()) === event.startsAt,
      "le champ « Début » n'a pas pris la valeur saisie",
    );
    await page.screenshot({ path: path.join(outDir, "evenement-formulaire.png"), fullPage: true });
  });

  await step("enregistrement de l'événement → /espace, en attente de validation", async () => {
    const spacePath = `${new URL(base).pathname}/espace`;
    const [landing, resp] = await Promise.all([
      page.waitForResponse(
        (r) => r.request().method() === "GET" && new URL(r.url()).pathname === spacePath,
      ),
      sendAndLoad(page, "/espace/evenements/nouveau", () =>
        page.getByRole("button", { name: "Enregistrer" }).click(),
      ),
    ]);
    check(resp.status() === 303, `POST /espace/evenements/nouveau → ${resp.status()}, attendu 303`);
    check(landing.status() === 200, `GET /espace après l'enregistrement → ${landing.status()}, attendu 200`);
    await expectOrganiserSpace(page, "après l'enregistrement de l'événement");
    const notice = page.getByRole("status");
    check((await notice.count()) === 1, "pas d'avis (role=status) après l'enregistrement");
    const text = (await notice.textContent()).trim();
    check(/enregistré/.test(text), `avis inattendu : « ${text} »`);
    const row = page.locator("main table tbody tr", { hasText: event.title });
    check((await row.count()) === 1, `l'événement « ${event.title} » n'est pas listé dans l'espace`);
    // textContent, not innerText: the status badge is shown in capitals by CSS.
    const badge = row.locator(".statut");
    check((await badge.count()) === 1, "pas de badge de statut sur la ligne de l'événement");
    const statusText = (await badge.textContent()).trim();
    check(statusText === "En attente de validation", `statut affiché : « ${statusText} »`);
    const rowText = await row.textContent();
    check(rowText.includes("15 novembre 2022 à 09:30"), `début affiché : ${rowText}`);
    await page.screenshot({ path: path.join(outDir, "espace-evenement.png"), fullPage: true });
  });

  await step("page de l'événement : titre, date et JSON-LD", async () => {
    const link = page.locator("main table").getByRole("link", { name: event.title, exact: true });
    check((await link.count()) === 1, "pas de lien vers la page de l'événement");
    const [resp] = await Promise.all([page.waitForNavigation(), link.click()]);
    check(resp && resp.status() === 200, `GET ${page.url()} → ${resp && resp.status()}`);
    const url = new URL(page.url());
    const prefix = `${base}/evenements/`;
    const id = (url.origin + url.pathname).startsWith(prefix)
      ? (url.origin + url.pathname).slice(prefix.length)
      : "";
    check(/^[^/]+$/.test(id), `le lien du titre mène à ${page.url()}, pas à ${prefix}{id}`);
    await expectTitleAndLang(page, event.title);
    const h1 = (await page.getByRole("heading", { level: 1 }).textContent()).trim();
    check(h1 === event.title, `titre principal « ${h1} », attendu « ${event.title} »`);
    const main = await page.locator("main").innerText();
    check(main.includes("15 novembre 2022"), `la page ne montre pas la date « 15 novembre 2022 » :\n${main}`);
    const scripts = page.locator('script[type="application/ld+json"]');
    check((await scripts.count()) >= 1, "pas de script JSON-LD (application/ld+json)");
    let data;
    try {
      data = JSON.parse(await scripts.first().textContent());
    } catch (e) {
      throw new StepFailure(`le JSON-LD n'est pas du JSON valide : ${e.message}`);
    }
    check(data && data["@type"] === "Event", `le JSON-LD a pour @type « ${data && data["@type"]} », pas « Event »`);
    check(data.name === event.title, `le JSON-LD a pour name « ${data.name} »`);
    await page.screenshot({ path: path.join(outDir, "evenement.png"), fullPage: true });
  });

  await step("aucune erreur JavaScript, de console ni de ressource", async () => {
    check(pageErrors.length === 0, pageErrors.join("\n"));
  });
  console.log(`Parcours organisateur réussi ; captures dans ${outDir}`);
} catch (e) {
  status = 1;
  const why = e instanceof StepFailure ? e.message : e.stack || String(e);
  console.error(`ÉCHEC à l'étape ${stepNo} « ${currentStep} » :\n${why}`);
  if (page) {
    console.error(`   page : ${page.url()}`);
    await page
      .screenshot({ path: path.join(outDir, "echec.png"), fullPage: true })
      .then(() => console.error(`   capture : ${path.join(outDir, "echec.png")}`))
      .catch(() => {});
  }
  if (pageErrors.length) {
    console.error(pageErrors.join("\n"));
  }
} finally {
  if (context) {
    await context.close().catch(() => {});
  }
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(status);
