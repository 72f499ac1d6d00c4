-- authlint in the nvim-lspconfig server-config format, for Neovim 0.8–0.10
-- users of nvim-lspconfig. With this directory on 'runtimepath':
--
--   require('lspconfig').authlint.setup({})
--
-- (On Neovim 0.11+ prefer ../../../lsp/authlint.lua with vim.lsp.enable.)
local util = require('lspconfig.util')

local function root_dir(fname)
  -- The nearest authlint.toml wins over an enclosing repository root.
  return util.root_pattern('authlint.toml')(fname) or util.root_pattern('.git')(fname)
end

return {
  default_config = {
    cmd = { 'authlint', 'lsp' },
    filetypes = { 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python' },
    root_dir = root_dir,
    single_file_support = true,
    settings = {
      authlint = {
        enable = true,
        rules = vim.empty_dict(),
        loggers = {},
        -- challenge = 'Bearer realm="api"', -- default: authlint.toml's, else this
        -- configPath = '/path/to/authlint.toml',
      },
    },
    before_init = function(params, config)
      params.initializationOptions = (config.settings or {}).authlint
    end,
  },
  docs = {
    description = [[
authlint: finds bad 401/403 handling (missing WWW-Authenticate, 401 vs 403,
unlogged authentication failures) in TypeScript, JavaScript and Python.

`authlint lsp` must be on PATH (or set `cmd`). Settings live under
`settings.authlint`: enable, rules (rule id -> "off"|"info"|"warning"|"error"),
challenge, loggers, configPath (layered over the project's authlint.toml;
keys left out override nothing).
]],
  },
}
