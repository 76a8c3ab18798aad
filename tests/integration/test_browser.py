"""The organiser pages (account, space, event form) in a real browser:
Debian's Chromium, driven by playwright-core (tests/browser/organiser_flow.mjs).
scripts/install-deps installs Chromium, Node.js and playwright-core; a missing
one is a failure, not a skip. The screenshots stay in var/test-output/browser."""
import os
import shutil
import subprocess

from moienv import SOURCE

SCRIPT = os.path.join(SOURCE, "tests", "browser", "organiser_flow.mjs")
OUTDIR = os.path.join(SOURCE, "var", "test-output", "browser")
CHROMIUM = "/usr/bin/chromium"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCREENSHOTS = (
    "inscription-erreurs.png",
    "espace.png",
    "evenement-formulaire.png",
    "espace-evenement.png",
)


def test_organiser_flow_in_chromium(httpd, db_up):
    node = shutil.which("node")
    assert node, "node is not on PATH: run scripts/install-deps"
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: run scripts/install-deps"
    assert os.path.isdir(
        os.path.join(SOURCE, "tests", "browser", "node_modules", "playwright-core")
    ), "playwright-core is not installed in tests/browser: run scripts/install-deps"

    os.makedirs(OUTDIR, exist_ok=True)
    for name in os.listdir(OUTDIR):
        if name.endswith(".png"):
            os.remove(os.path.join(OUTDIR, name))

    try:
        res = subprocess.run(
            [node, SCRIPT, httpd.url, OUTDIR],
            cwd=os.path.join(SOURCE, "tests", "browser"),
            capture_output=True,
            text=True,
            timeout=180,
        )
    except subprocess.TimeoutExpired as e:
        raise AssertionError(
            f"the browser test did not finish within {e.timeout} s:\n{e.stdout or ''}{e.stderr or ''}"
        ) from None
    output = res.stdout + res.stderr
    print(output)
    assert res.returncode == 0, f"the browser test failed (exit {res.returncode}):\n{output}"

    for name in SCREENSHOTS:
        path = os.path.join(OUTDIR, name)
        assert os.path.isfile(path), f"screenshot {name} is missing"
        with open(path, "rb") as f:
            head = f.read(len(PNG_SIGNATURE))
        assert head == PNG_SIGNATURE, f"{name} is not a PNG"
        assert os.path.getsize(path) > 1000, f"{name} is nearly empty"
