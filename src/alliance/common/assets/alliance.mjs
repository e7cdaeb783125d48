// Starts GOV.UK Frontend's components (loaded as a module, so browsers without module support get
// the plain HTML, which works on its own).
import { initAll } from "./govuk-frontend.min.js";

initAll();
