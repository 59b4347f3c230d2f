/**
 * Asks the operator's throttle endpoint: "ok" for a 200 within the timeout, otherwise why not (`HTTP 503`,
 * `no answer within 2 s`, the connection error). Never throws: the endpoint being away is a reason to hold
 * back, not a reason for a worker to fail.
 */
export async function probeThrottleUrl(url: string, timeoutMs: number): Promise<string> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch(url, { signal: abort.signal, redirect: "manual" });
    await response.body?.cancel().catch(() => undefined);
    return response.status === 200 ? "ok" : `HTTP ${response.status}`;
  } catch (err) {
    if (abort.signal.aborted) return `no answer within ${timeoutMs / 1000} s`;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `unreachable (${cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err))})`;
  } finally {
    clearTimeout(timer);
  }
}
