/* Starts the NHS.UK frontend's components (header menu, skip link and the rest). The frontend
   is copied into static/vendor by scripts/build_static.sh; without it this module fails to load
   and the pages work unstyled by script, as before. */
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
