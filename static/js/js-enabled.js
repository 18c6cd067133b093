/* Marks the page as running JavaScript before it is drawn, as the NHS.UK frontend expects
   (its components style themselves by these classes). Loaded at the top of <body>, not
   inline, so the Content-Security-Policy can forbid inline script. */
document.body.className +=
  " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
