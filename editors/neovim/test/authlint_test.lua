-- Headless end-to-end test: Neovim's own LSP client against `authlint lsp`.
-- Run through test/run.sh, which sets:
--   AUTHLINT_BIN        the server executable
--   AUTHLINT_NVIM_DIR   editors/neovim (added to 'runtimepath')
--   AUTHLINT_TEST_WORK  an empty scratch directory
-- Works on Neovim 0.7 (vim.lsp.start_client), 0.8-0.10 (vim.lsp.start) and
-- 0.11+ (vim.lsp.enable with lsp/authlint.lua found on 'runtimepath').

local bin = assert(os.getenv('AUTHLINT_BIN'), 'AUTHLINT_BIN is not set')
local nvim_dir = assert(os.getenv('AUTHLINT_NVIM_DIR'), 'AUTHLINT_NVIM_DIR is not set')
local work = assert(os.getenv('AUTHLINT_TEST_WORK'), 'AUTHLINT_TEST_WORK is not set')
local TIMEOUT = tonumber(os.getenv('AUTHLINT_TEST_TIMEOUT_MS') or '') or 20000

-- say() goes to stderr in headless mode; results go to stdout.
local function say(s)
  io.stdout:write(s .. '\n')
  io.stdout:flush()
end

local v = vim.version()
local version = string.format('%d.%d.%d', v.major, v.minor, v.patch)
local has_enable = vim.lsp.config ~= nil and vim.lsp.enable ~= nil -- 0.11+
local has_start = vim.lsp.start ~= nil -- 0.8+
local mode = has_enable and 'vim.lsp.enable' or (has_start and 'vim.lsp.start' or 'vim.lsp.start_client')
say(string.format('Neovim %s, starting the server with %s: %s lsp', version, mode, bin))

if os.getenv('AUTHLINT_TEST_DEBUG') then
  vim.lsp.set_log_level('debug') -- run.sh prints the end of lsp.log on failure
end
vim.opt.runtimepath:prepend(nvim_dir)
vim.cmd('filetype on')
vim.o.swapfile = false
vim.o.hidden = true

local passed, failed, skipped = 0, 0, 0
local function test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    say('ok - ' .. name)
  else
    failed = failed + 1
    say('not ok - ' .. name .. '\n' .. tostring(err))
  end
end
local function skip(name, why)
  skipped = skipped + 1
  say('skip - ' .. name .. ': ' .. why)
end

local function write(path, text)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ':h'), 'p')
  local f = assert(io.open(path, 'w'))
  f:write(text)
  f:close()
end

local function get_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr, name = 'authlint' })
  end
  local out = {}
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'authlint' then
      table.insert(out, c)
    end
  end
  return out
end

local function diag_code(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

local function diags(bufnr, code)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if code == nil or diag_code(d) == code then
      table.insert(out, d)
    end
  end
  return out
end

local function describe_diags(bufnr)
  local parts = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(parts, string.format('%d:%d %s [%s] %s', d.lnum + 1, d.col + 1, tostring(d.source), tostring(diag_code(d)), d.message))
  end
  return #parts == 0 and '(none)' or table.concat(parts, '\n  ')
end

local function buf_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

local function wait(what, cond)
  if not vim.wait(TIMEOUT, cond, 50) then
    error('timed out after ' .. TIMEOUT .. ' ms waiting for ' .. what, 2)
  end
end

local function same_path(a, b)
  local function norm(p)
    return p and vim.fn.resolve(vim.fn.fnamemodify(p, ':p')):gsub('/$', '') or p
  end
  return norm(a) == norm(b)
end

-- The configuration under test.
local config = dofile(nvim_dir .. '/lsp/authlint.lua')

-- Root detection as Neovim 0.11 does it for root_markers: each marker in
-- order, searched upward from the file.
local function find_root(path, markers)
  for _, marker in ipairs(markers) do
    local dir = vim.fn.fnamemodify(path, ':p:h')
    while true do
      if vim.fn.glob(dir .. '/' .. marker, true) ~= '' then
        return dir
      end
      local parent = vim.fn.fnamemodify(dir, ':h')
      if parent == dir then
        break
      end
      dir = parent
    end
  end
  return nil
end

-- The workspace: a repository with a service that has its own authlint.toml.
local repo = work .. '/repo'
local svc = repo .. '/svc'
vim.fn.mkdir(repo .. '/.git', 'p')
-- The service's challenge: editor settings must not override it by default.
write(svc .. '/authlint.toml', '[challenge]\nrealm = "svc"\n')
local handler = svc .. '/src/handler.ts'
write(
  handler,
  table.concat({
    'export function handler(req: Request): Response {',
    "  if (!req.headers.get('authorization')) {",
    "    return new Response('no', { status: 401 });",
    '  }',
    "  return new Response('ok');",
    '}',
    '',
  }, '\n')
)
local handler2 = svc .. '/src/routes.ts'
write(
  handler2,
  table.concat({
    'export function a(): Response {',
    "  return new Response('no', { status: 401 });",
    '}',
    'export function b(): Response {',
    "  return new Response('no', { status: 401 });",
    '}',
    '',
  }, '\n')
)
-- A second service with an authlint.toml that sets nothing.
local admin = repo .. '/admin'
write(admin .. '/authlint.toml', '# defaults\n')
local handler3 = admin .. '/src/admin.ts'
write(
  handler3,
  table.concat({
    'export function admin(): Response {',
    "  return new Response('no', { status: 401 });",
    '}',
    '',
  }, '\n')
)
local outside = repo .. '/scripts/tool.ts'
write(outside, "export const x = 1;\n")

-- Starting the client. Exit codes are recorded for the shutdown test.
local exits = {}
local function on_exit(code, signal, client_id)
  exits[client_id] = { code = code, signal = signal }
end

if has_enable then
  -- Only the executable (and the exit hook) are overridden: everything else
  -- comes from lsp/authlint.lua, found on 'runtimepath' by vim.lsp.config.
  vim.lsp.config('authlint', { cmd = { bin, 'lsp' }, on_exit = on_exit })
  vim.lsp.enable('authlint')
elseif has_start then
  vim.api.nvim_create_autocmd('FileType', {
    pattern = config.filetypes,
    callback = function(args)
      local path = vim.api.nvim_buf_get_name(args.buf)
      vim.lsp.start({
        name = 'authlint',
        cmd = { bin, 'lsp' },
        root_dir = find_root(path, config.root_markers) or vim.fn.fnamemodify(path, ':p:h'),
        settings = vim.deepcopy(config.settings),
        before_init = config.before_init,
        on_exit = on_exit,
      }, { bufnr = args.buf })
    end,
  })
else
  local clients_by_root = {}
  local group = vim.api.nvim_create_augroup('authlint_test', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      local path = vim.api.nvim_buf_get_name(args.buf)
      local root = find_root(path, config.root_markers) or vim.fn.fnamemodify(path, ':p:h')
      local id = clients_by_root[root]
      if id == nil then
        id = vim.lsp.start_client({
          name = 'authlint',
          cmd = { bin, 'lsp' },
          root_dir = root,
          workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
          settings = vim.deepcopy(config.settings),
          before_init = config.before_init,
          on_exit = on_exit,
        })
        clients_by_root[root] = id
      end
      vim.lsp.buf_attach_client(args.buf, id)
    end,
  })
end

-- Applies the code action chosen by `pick` through Neovim's own code-action
-- flow (request, optional codeAction/resolve, apply_workspace_edit).
local function apply_code_action(context, pick)
  local chosen = {}
  -- Used by 0.7 (always prompts) and by later versions if more than one
  -- action survives the filter: choose like a user would, deterministically.
  vim.ui.select = function(items, _, on_choice)
    for i, item in ipairs(items) do
      local action = item.action or item[2]
      if pick(action) then
        table.insert(chosen, action.title)
        return on_choice(item, i)
      end
    end
    on_choice(nil, nil)
  end
  if has_start then
    vim.lsp.buf.code_action({
      context = context,
      apply = true,
      filter = function(action)
        local ok = pick(action)
        if ok then
          table.insert(chosen, action.title)
        end
        return ok
      end,
    })
  else
    vim.lsp.buf.code_action(context)
  end
  return chosen
end

local function open(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local buf = open(handler)

test('the server attaches to a TypeScript buffer', function()
  assert(vim.bo[buf].filetype == 'typescript', 'filetype is ' .. vim.bo[buf].filetype)
  wait('an authlint client to attach', function()
    local c = get_clients(buf)[1]
    return c ~= nil and (c.server_capabilities or c.resolved_capabilities) ~= nil
  end)
end)

test('the nearest authlint.toml is the root', function()
  local c = assert(get_clients(buf)[1], 'no client')
  assert(same_path(c.config.root_dir, svc), 'root_dir = ' .. tostring(c.config.root_dir) .. ', expected ' .. svc)
end)

test('a 401 without WWW-Authenticate is reported', function()
  wait('a require-www-authenticate diagnostic', function()
    return #diags(buf, 'require-www-authenticate') > 0
  end)
  local d = diags(buf, 'require-www-authenticate')[1]
  assert(d.lnum == 2, 'expected line 3, got ' .. (d.lnum + 1) .. '\n  ' .. describe_diags(buf))
  assert(d.source == 'authlint', 'source = ' .. tostring(d.source))
  assert(d.severity == vim.diagnostic.severity.ERROR, 'severity = ' .. tostring(d.severity))
end)

test("hover on the flagged status explains the rule", function()
  local d = assert(diags(buf, 'require-www-authenticate')[1], 'no diagnostic')
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = d.lnum, character = d.col + 1 },
  }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, TIMEOUT) or {}
  local text = ''
  for _, r in pairs(responses) do
    local c = r.result and r.result.contents
    if type(c) == 'table' then
      text = text .. (c.value or vim.inspect(c))
    elseif type(c) == 'string' then
      text = text .. c
    end
  end
  assert(text:find('require%-www%-authenticate') and text:find('WWW%-Authenticate'), 'hover was: ' .. text)
end)

test('the quick fix removes the diagnostic', function()
  local d = assert(diags(buf, 'require-www-authenticate')[1], 'no diagnostic to fix')
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  local chosen = apply_code_action({ only = { 'quickfix' } }, function(action)
    -- The header fix, not "Ignore … for this line".
    return (action.kind == nil or action.kind == 'quickfix')
      and action.title:find('WWW%-Authenticate') ~= nil
      and not action.title:lower():find('ignore')
  end)
  wait('the fix to be applied', function()
    return vim.api.nvim_buf_get_changedtick(buf) ~= tick
  end)
  assert(#chosen >= 1, 'no matching code action')
  assert(buf_text(buf):find('WWW%-Authenticate') ~= nil, 'buffer has no WWW-Authenticate:\n' .. buf_text(buf))
  wait('the diagnostic to go away', function()
    return #diags(buf, 'require-www-authenticate') == 0
  end)
  say('  applied: ' .. chosen[1])
  say('  line 3 now: ' .. vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1])
end)

test("the fix uses authlint.toml's challenge (the editor config does not override it)", function()
  local line = vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1]
  assert(line:find('realm="svc"', 1, true) ~= nil, 'svc/authlint.toml has [challenge] realm = "svc"; the fix inserted:\n' .. line)
end)

local buf2 = open(handler2)

test('source.fixAll.authlint fixes every 401 in the file', function()
  wait('two require-www-authenticate diagnostics', function()
    return #diags(buf2, 'require-www-authenticate') == 2
  end)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  local tick = vim.api.nvim_buf_get_changedtick(buf2)
  apply_code_action({ only = { 'source.fixAll.authlint' }, diagnostics = {} }, function(action)
    return action.kind == 'source.fixAll.authlint'
  end)
  wait('fix-all to be applied', function()
    return vim.api.nvim_buf_get_changedtick(buf2) ~= tick
  end)
  wait('both diagnostics to go away', function()
    return #diags(buf2, 'require-www-authenticate') == 0
  end)
  local _, count = buf_text(buf2):gsub('WWW%-Authenticate', '')
  assert(count == 2, 'expected 2 WWW-Authenticate headers, got ' .. count .. ':\n' .. buf_text(buf2))
end)

-- Changes settings the way a user would: edit the client's settings and
-- send workspace/didChangeConfiguration (the server then asks for them with
-- workspace/configuration, which Neovim answers from the same table).
local function change_settings(bufnr, fn)
  local c = assert(get_clients(bufnr)[1], 'no client')
  local tables = { c.config.settings }
  if c.settings and c.settings ~= c.config.settings then
    table.insert(tables, c.settings)
  end
  for _, t in ipairs(tables) do
    fn(t.authlint)
  end
  local params = { settings = c.settings or c.config.settings }
  if vim.fn.has('nvim-0.11') == 1 then
    c:notify('workspace/didChangeConfiguration', params)
  else
    c.notify('workspace/didChangeConfiguration', params)
  end
end

local buf3 = open(handler3)

test('settings changes reach the running server', function()
  wait('a diagnostic in admin.ts', function()
    return #diags(buf3, 'require-www-authenticate') == 1
  end)
  change_settings(buf3, function(s)
    s.rules['require-www-authenticate'] = 'off'
  end)
  wait('the rule to be turned off', function()
    return #diags(buf3, 'require-www-authenticate') == 0
  end)
  change_settings(buf3, function(s)
    s.rules['require-www-authenticate'] = nil
    s.challenge = 'Basic realm="editor"'
  end)
  wait('the rule to be back on', function()
    return #diags(buf3, 'require-www-authenticate') == 1
  end)
  local d = diags(buf3, 'require-www-authenticate')[1]
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local tick = vim.api.nvim_buf_get_changedtick(buf3)
  apply_code_action({ only = { 'quickfix' } }, function(action)
    return action.title:find('WWW%-Authenticate') ~= nil and not action.title:lower():find('ignore')
  end)
  wait('the fix to be applied', function()
    return vim.api.nvim_buf_get_changedtick(buf3) ~= tick
  end)
  -- The editor's challenge wins over authlint.toml's.
  assert(buf_text(buf3):find('Basic realm="editor"', 1, true) ~= nil, 'expected the editor challenge:\n' .. buf_text(buf3))
end)

if has_enable then
  test('outside any authlint.toml the repository root is the root', function()
    local b = open(outside)
    wait('a client for ' .. outside, function()
      return get_clients(b)[1] ~= nil
    end)
    local c = get_clients(b)[1]
    assert(same_path(c.config.root_dir, repo), 'root_dir = ' .. tostring(c.config.root_dir) .. ', expected ' .. repo)
  end)
else
  skip('root detection through root_markers', 'needs Neovim 0.11 (vim.lsp.enable); this run computed the root itself')
end

test('the nvim-lspconfig entry matches lsp/authlint.lua', function()
  -- nvim-lspconfig is not installed here: provide its root_pattern (the
  -- nearest directory containing one of the patterns).
  package.loaded['lspconfig.util'] = {
    root_pattern = function(...)
      local patterns = { ... }
      return function(fname)
        for _, p in ipairs(patterns) do
          local root = find_root(fname, { p })
          if root then
            return root
          end
        end
      end
    end,
  }
  local entry = dofile(nvim_dir .. '/lua/lspconfig/configs/authlint.lua')
  local dc = entry.default_config
  assert(vim.deep_equal(dc.cmd, config.cmd), 'cmd differs')
  assert(vim.deep_equal(dc.filetypes, config.filetypes), 'filetypes differ')
  assert(vim.deep_equal(dc.settings, config.settings), 'settings differ')
  assert(same_path(dc.root_dir(handler), svc), 'root_dir(handler) = ' .. tostring(dc.root_dir(handler)))
  assert(same_path(dc.root_dir(outside), repo), 'root_dir(outside) = ' .. tostring(dc.root_dir(outside)))
  local params = {}
  dc.before_init(params, dc)
  assert(vim.json.encode(params.initializationOptions) == vim.json.encode(config.settings.authlint))
end)

test('settings keep the JSON shape the server expects', function()
  local json = vim.json.decode(vim.json.encode(config.settings.authlint))
  assert(json.enable == true)
  assert(json.challenge == nil, 'challenge must be left out (no override of authlint.toml)')
  assert(vim.json.encode(config.settings.authlint.rules) == '{}', 'rules must encode as {}')
  assert(json.configPath == nil, 'configPath must be left out (the nearest authlint.toml applies)')
  assert(vim.json.encode(config.settings.authlint.loggers) == '[]', 'loggers must encode as []')
  local params = {}
  config.before_init(params, config)
  assert(params.initializationOptions == config.settings.authlint)
end)

test('the server shuts down cleanly (shutdown, exit, code 0)', function()
  local ids = {}
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    for _, c in ipairs(get_clients(b)) do
      ids[c.id] = true
    end
  end
  assert(next(ids) ~= nil, 'no running client')
  for id in pairs(ids) do
    vim.lsp.stop_client(id)
  end
  wait('every server to exit', function()
    for id in pairs(ids) do
      if exits[id] == nil then
        return false
      end
    end
    return true
  end)
  for id, e in pairs(exits) do
    assert(e.code == 0 and e.signal == 0, string.format('client %d: exit code %s, signal %s', id, e.code, e.signal))
  end
end)

say(string.format('%d passed, %d failed, %d skipped', passed, failed, skipped))
vim.cmd(failed == 0 and 'qall!' or 'cquit 1')
