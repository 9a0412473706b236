-- GET the paths given on the command line in turn (each thread from its own place in the list),
-- against the host of the URL given: queries that differ from request to request.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local paths = {}
local next_index = 1

function init(args)
  for _, path in ipairs(args) do paths[#paths + 1] = path end
  next_index = (math.random(#paths) or 1)
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end
