-- POST /api/v1/orders/validate with three lines; args: three product ids.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

function init(args)
  local lines = {}
  for _, id in ipairs(args) do
    lines[#lines + 1] = string.format("{\"productId\": \"%s\", \"quantity\": 2}", id)
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = "{\"lines\": [" .. table.concat(lines, ", ") .. "]}"
end
