-- Drives Neovim's own LSP client (0.7 API) as a user would: open the file, wait for the
-- diagnostics, ask for code actions on the KEDA0101 finding, pick the first one, and write
-- what happened as JSON to $SCALECORE_NVIM_OUT.
local out = os.getenv('SCALECORE_NVIM_OUT')
local report = {}

local function finish()
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(report))
  f:close()
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('SCALECORE_NVIM_FILE')))
  local buf = vim.api.nvim_get_current_buf()
  report.filetype = vim.bo[buf].filetype
  local function find()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == 'KEDA0101' then return d end
    end
  end
  if not vim.wait(30000, function() return find() ~= nil end, 50) then
    report.error = 'no KEDA0101 diagnostic within 30 s'
    return
  end
  local d = find()
  report.diagnostic = { lnum = d.lnum, col = d.col, end_col = d.end_col, source = d.source, message = d.message }
  local before = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), '\n')

  -- The code-action menu: choose the first entry, as a user pressing Enter would.
  vim.ui.select = function(items, opts, on_choice)
    report.choices = {}
    for _, item in ipairs(items) do
      table.insert(report.choices, opts.format_item and opts.format_item(item) or tostring(item))
    end
    on_choice(items[1], 1)
  end
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  vim.lsp.buf.code_action()
  local changed = vim.wait(15000, function()
    return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), '\n') ~= before
  end, 50)
  if not changed then report.error = 'the code action did not change the buffer' end
  report.text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), '\n') .. '\n'

  -- The edit is linted again: the finding goes.
  report.cleared = vim.wait(15000, function() return find() == nil end, 50)

  -- Hover (the `K` of the README's keymap) on the minReplicaCount key.
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, true)) do
    local col = line:find('minReplicaCount', 1, true)
    if col then vim.api.nvim_win_set_cursor(0, { i, col }) end
  end
  local answers = vim.lsp.buf_request_sync(buf, 'textDocument/hover', vim.lsp.util.make_position_params(), 10000)
  for _, answer in pairs(answers or {}) do
    if answer.result then report.hover = answer.result.contents.value end
  end
end)
if not ok then report.error = tostring(err) end
finish()
