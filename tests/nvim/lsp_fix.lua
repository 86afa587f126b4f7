-- Neovim (0.7+) drives `gomodfix lsp` as a user's editor would: open a Dockerfile, wait for the
-- diagnostics, ask for the "fix all" code action, apply its edit, save, and report.
-- Environment: GOMODFIX_BIN, GOMODFIX_FILE, GOMODFIX_OUT.
local bin = os.getenv("GOMODFIX_BIN")
local file = os.getenv("GOMODFIX_FILE")
local out = io.open(os.getenv("GOMODFIX_OUT"), "w")

local function finish(msg)
  out:write(msg .. "\n")
  out:close()
  vim.cmd("qa!")
end

vim.cmd("edit " .. file)
local client_id = vim.lsp.start_client({
  name = "gomodfix",
  cmd = { bin, "lsp" },
  root_dir = vim.fn.fnamemodify(file, ":p:h"),
})
if not client_id then
  finish("error: the client did not start")
  return
end
vim.lsp.buf_attach_client(0, client_id)

local got = vim.wait(15000, function()
  return #vim.diagnostic.get(0) > 0
end, 50)
if not got then
  finish("error: no diagnostics")
  return
end
local codes = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(codes, tostring(d.code))
end
table.sort(codes)
out:write("diagnostics: " .. table.concat(codes, ",") .. "\n")

local params = {
  textDocument = vim.lsp.util.make_text_document_params(),
  range = { start = { line = 0, character = 0 }, ["end"] = { line = vim.api.nvim_buf_line_count(0), character = 0 } },
  context = { diagnostics = {}, only = { "source.fixAll.gomodfix" } },
}
local responses = vim.lsp.buf_request_sync(0, "textDocument/codeAction", params, 15000)
local applied = 0
for _, r in pairs(responses or {}) do
  for _, action in ipairs(r.result or {}) do
    if action.edit then
      vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
      applied = applied + 1
    end
  end
end
out:write("applied: " .. applied .. "\n")
vim.cmd("silent write")
finish("done")
