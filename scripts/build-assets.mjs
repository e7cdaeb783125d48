// Builds the front-end assets into static/dist (git-ignored), from the pinned npm packages only:
// GOV.UK Frontend's Sass compiled with our settings (no GDS Transport font: it is licensed for
// GOV.UK domains only, and the asset path points at where whitenoise serves it), its JavaScript,
// images, and axe-core for the browser tests' accessibility checks. Nothing comes from a CDN.
import { cpSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "dist");
const govuk = join(root, "node_modules", "govuk-frontend", "dist");

mkdirSync(out, { recursive: true });
const css = sass.compile(join(root, "src", "alliance", "common", "assets", "alliance.scss"), {
  loadPaths: [govuk, join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin"],
});
writeFileSync(join(out, "alliance.css"), css.css);
cpSync(join(govuk, "govuk", "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "govuk", "assets", "images"), join(out, "images"), { recursive: true });
cpSync(join(govuk, "govuk", "assets", "manifest.json"), join(out, "manifest.json"));
cpSync(join(root, "src", "alliance", "common", "assets", "alliance.mjs"), join(out, "alliance.mjs"));
// Alliance's own icon: GOV.UK Frontend's favicons are the crown, for GOV.UK services only.
cpSync(join(root, "src", "alliance", "common", "assets", "favicon.svg"), join(out, "favicon.svg"));
cpSync(join(root, "node_modules", "axe-core", "axe.min.js"), join(out, "axe.min.js"));
const version = JSON.parse(readFileSync(join(root, "node_modules", "govuk-frontend", "package.json"))).version;
writeFileSync(join(out, "VERSION"), `govuk-frontend ${version}\n`);
console.log(`assets built into static/dist (govuk-frontend ${version})`);
