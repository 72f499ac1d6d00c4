-- authlint language server for Neovim 0.11+ (`:help lsp-config`).
--
-- With this directory on 'runtimepath' (or this file copied to
-- ~/.config/nvim/lsp/authlint.lua), enable it from your init.lua:
--
--   vim.lsp.enable('authlint')
--
-- and override anything with vim.lsp.config, e.g.
--
--   vim.lsp.config('authlint', {
--     cmd = { '/path/to/authlint', 'lsp' },
--     settings = { authlint = { rules = { ['require-401-logging'] = 'off' } } },
--   })

---@type vim.lsp.Config
return {
  cmd = { 'authlint', 'lsp' },
  filetypes = { 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python' },
  -- The nearest authlint.toml wins; otherwise the repository root.
  root_markers = { 'authlint.toml', '.git' },
  -- Answered for `workspace/configuration` (section "authlint") and sent as
  -- initializationOptions (see before_init). Layered over the project's
  -- authlint.toml: keys left out (and empty values) override nothing.
  -- vim.empty_dict() keeps `rules` a JSON object ({} rather than []).
  settings = {
    authlint = {
      enable = true,
      rules = vim.empty_dict(), -- e.g. { ['require-401-logging'] = 'off' }
      loggers = {}, -- e.g. { 'audit' }, added to authlint.toml's
      -- challenge = 'Bearer realm="api"', -- default: authlint.toml's, else this
      -- configPath = '/path/to/authlint.toml', -- default: the nearest authlint.toml
    },
  },
  before_init = function(params, config)
    -- The server reads its settings from initializationOptions too; keep
    -- them identical to `settings` after any vim.lsp.config() override.
    params.initializationOptions = (config.settings or {}).authlint
  end,
}
