// What a storefront does with @entitle/rules: fetch the account's access snapshot (here a
// static file standing in for GET /v1/me/access), load it once, and ask before showing a button.
export async function storefront({ Access, EntitleError }, entry) {
  const { accountId, state } = await (await fetch("/access.json")).json();
  const access = new Access(state, accountId);
  const now = new Date().toISOString();
  const decision = access.decide("contract.delegates.manage", "contract", "hosting", now);
  const button = document.querySelector("#manage");
  button.disabled = !access.can("contract.delegates.manage", "contract", "hosting", now);
  const out = document.querySelector("#decision");
  out.textContent = `${accountId} may manage delegates: ${decision.allowed ? "allowed" : "denied"} (${decision.reasons.join(", ")})`;
  try {
    access.can("contract.delegates.manage", "contract", "hosting", new Date());
  } catch (error) {
    out.dataset.error = error instanceof EntitleError ? error.code : "not an EntitleError";
  }
  access.free();
  document.body.dataset.entry = entry;
  document.body.dataset.ready = "true";
}
