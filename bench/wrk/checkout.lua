-- Checkout under load. Each request is a pipelined pair on one connection: add ten units of a product to the
-- customer's cart, then place the order (POST /api/v1/orders) with a fresh Idempotency-Key and the
-- 4242 sandbox card. wrk times the pair, so the latency includes the add-to-cart call.
-- args: run nonce, tokens file, product ids (comma-separated).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local tokens, products, nonce, counter = {}, {}, "", 0
local order_body = "{\"delivery\": {\"name\": \"Bench Shopper\", \"line1\": \"1 Loop Road\", \"city\": \"Localhost\", " ..
  "\"postcode\": \"LO1 1AA\", \"phone\": \"0100 000 0000\"}, " ..
  "\"card\": {\"number\": \"4242424242424242\", \"expiryMonth\": 12, \"expiryYear\": 2035, \"cvc\": \"123\"}}"

function init(args)
  nonce = args[1]
  local all = {}
  for line in io.lines(args[2]) do all[#all + 1] = line end
  -- Each thread takes its own half of the customers, so no two pairs share a cart.
  local count = 2
  for index = 1, #all do
    if (index - 1) % count == thread_id then tokens[#tokens + 1] = all[index] end
  end
  for id in string.gmatch(args[3], "[^,]+") do products[#products + 1] = id end
end

function request()
  counter = counter + 1
  local token = tokens[(counter - 1) % #tokens + 1]
  local product = products[(counter - 1) % #products + 1]
  local auth = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  local add = wrk.format("POST", "/api/v1/cart/items", auth,
    string.format("{\"productId\": \"%s\", \"quantity\": 10}", product))
  local order_headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%s-%d-%d", nonce, thread_id, counter) }
  return add .. wrk.format("POST", "/api/v1/orders", order_headers, order_body)
end
