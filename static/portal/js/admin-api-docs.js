/* The API docs (templates/drf_spectacular/swagger_ui.html): Swagger UI is started with
   deep links off. With them on, each operation's path is a link inside the operation's
   button, which a screen reader or keyboard cannot use (WCAG 4.1.2, axe nested-interactive).
   Loaded after Swagger's bundle and before drf-spectacular's script that calls it. */
"use strict";
(function () {
    const original = window.SwaggerUIBundle;
    if (typeof original !== "function") {
        return;
    }
    window.SwaggerUIBundle = Object.assign(
        (options) => original(Object.assign({}, options, {deepLinking: false})),
        original,
    );
})();
