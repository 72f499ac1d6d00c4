// Vitest unit tests for the API client. The mocked fetch resolves to a canned
// 401 Response: test scaffolding, not a server answering anyone, so it must
// stay silent like the assertions.
import { describe, expect, it, vi } from 'vitest'
import { apiFetch } from './api-client'

describe('apiFetch', () => {
  it('passes a 403 through as an error', async () => {
    globalThis.fetch = vi.fn().mockResolvedValue(new Response(null, { status: 403 }))
    await expect(apiFetch('/api/me')).rejects.toThrow('Forbidden')
  })

  it('returns a 401 without an invalid_token challenge as is', async () => {
    globalThis.fetch = vi.fn().mockResolvedValue(new Response(null, { status: 401 }))
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {})
    const res = await apiFetch('/api/me')
    expect(res.status).toBe(401)
    expect(assign).not.toHaveBeenCalled()
  })
})
