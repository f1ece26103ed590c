/** Placeholder until the viewer lands: says so instead of failing silently. */
export async function runViewer(_demo?: unknown): Promise<void> {
  const st = document.querySelector('#viewer .status');
  if (st) st.textContent = 'not built yet in this version of the page';
}
