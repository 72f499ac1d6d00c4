// axios response interceptor in a React app: switches on error statuses to
// refresh or redirect. Client code, never a response.
import axios from 'axios'

export const api = axios.create({ baseURL: '/api' })

api.interceptors.response.use(
  (response) => response,
  async (error) => {
    const original = error.config
    switch (error.response?.status) {
      case 401:
        if (!original._retry) {
          original._retry = true
          await api.post('/auth/refresh')
          return api(original)
        }
        window.location.href = '/login'
        break
      case 403:
        window.dispatchEvent(new CustomEvent('toast', { detail: 'You do not have access to this page' }))
        break
      default:
        break
    }
    return Promise.reject(error)
  },
)
