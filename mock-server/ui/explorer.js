// The API explorer: Swagger UI over this mock's contract. "Try it out" calls this origin as the tenant the
// dashboard selected, already authorized with that tenant's demo credentials.
"use strict";

(() => {
  const tenant = Concord.tenant();
  document.getElementById("explorer-tenant").textContent = tenant;

  async function authorize(ui) {
    try {
      const { byScheme } = await Concord.credentials(tenant);
      for (const [scheme, creds] of byScheme) ui.preauthorizeApiKey(scheme, creds[0].value);
    } catch (e) {
      Concord.status(
        e instanceof Concord.NeedsToken
          ? "Open the dashboard and enter the admin token to pre-fill the demo credentials; until then use Authorize."
          : `Could not read the demo credentials: ${e.message}`,
        !(e instanceof Concord.NeedsToken),
      );
    }
  }

  const ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    displayOperationId: true,
    displayRequestDuration: true,
    persistAuthorization: false,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: (request) => {
      request.headers["X-Mock-Tenant"] = tenant;
      return request;
    },
    onComplete: () => authorize(ui),
  });
})();
