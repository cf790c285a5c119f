// A token's scope (CONTRACT section 7): what a client may see, expressed with the filter's keys.
// Thread-safe (pure functions on values).
#pragma once

#include <optional>

#include "config/config.h"
#include "model/filter.h"

namespace iiot::auth {

// The scope as a Filter value: an empty list puts no constraint on its key.
using Scope = model::Filter;

// The filter in force for a client that asked for `requested` under `scope`: per key, a
// non-empty scope list is intersected with the requested list (an empty request means the whole
// scope list); an empty scope list leaves the request as it is. nullopt when an intersection is
// empty (the client may see nothing it asked for on that key: `forbidden`).
std::optional<model::Filter> narrow(const model::Filter& requested, const Scope& scope);

// A scope from the configuration file (names there are already checked).
Scope scope_from_config(const config::ScopeConfig& scope);

}  // namespace iiot::auth
