// Starts GOV.UK Frontend's components (error summary focus, radios, notification banners,
// service navigation menu, ...). Every page works without it.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
