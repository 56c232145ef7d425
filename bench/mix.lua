-- The request mix of bench/run.sh over all four APIs: reads, creates with their deletes (so state stays flat),
-- assignment conflicts, validation failures and auth failures. Each wrk thread cycles through the list.
local customer = "/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/credentials"
local masstack = {["Authorization"] = "Bearer demo-masstack-token", ["x-auth-roles"] = "API_KEY", ["Content-Type"] = "application/json"}
local magicline = {["X-API-KEY"] = "demo-magicline-key", ["Content-Type"] = "application/json"}
local paysafe = {["Authorization"] = "Bearer demo-paysafe-token", ["Content-Type"] = "application/json"}
local loyalty = {["Authorization"] = "Bearer demo-loyalty-token", ["Content-Type"] = "application/json"}

local counter = 0
local created = {}
local thread_id = tostring(math.random(1, 1e9))

local mix = {
  function() return wrk.format("GET", customer, masstack) end,                                   -- read
  function() return wrk.format("GET", "/v1/customers/1001/access-code", magicline) end,          -- read
  function() return wrk.format("GET", "/customers/1231122232/prepaid/cards/bulk/8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001", paysafe) end,
  function()                                                                                      -- create
    counter = counter + 1
    return wrk.format("POST", customer, masstack, '{"username":"bench-' .. thread_id .. '-' .. counter .. '@example.com"}')
  end,
  function()                                                                                      -- delete what was created
    local id = table.remove(created)
    -- Until a create has answered there is nothing to delete: read instead, so state stays flat.
    if id == nil then return wrk.format("GET", customer, masstack) end
    return wrk.format("DELETE", customer .. "/" .. id, masstack)
  end,
  function() return wrk.format("POST", "/customers/1231122232/prepaid/cards/0b7d6f52-2f3e-4c1a-9d8e-5a4b3c2d1e0f/assignments", paysafe, '{"targetCustomerId":"1233333323"}') end, -- conflict
  function() return wrk.format("POST", "/v1/customers/1001/access-mediums", magicline, '{"type":"FACE","value":"x"}') end, -- validation failure
  function() return wrk.format("GET", customer, {["Authorization"] = "Bearer wrong"}) end,     -- auth failure
  function() return wrk.format("POST", "/client/users/demo-active/cards", loyalty, '{"quantity":0}') end, -- validation failure
}

local step = 0
request = function()
  step = step % #mix + 1
  return mix[step]()
end

response = function(status, headers, body)
  if status == 201 then
    local id = string.match(body, '"id":"([%x%-]+)"')
    if id then table.insert(created, id) end
  end
end
