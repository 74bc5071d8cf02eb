// Everything the engine needs to drive the actors: every role's interface (shard.hpp,
// query.hpp, coordinator.hpp, wal_actor.hpp, schema.hpp) and the shared types. Include the
// narrower headers where they suffice.
#pragma once

#include "lora/actors/atoms.hpp"
#include "lora/actors/codec.hpp"
#include "lora/actors/coordinator.hpp"
#include "lora/actors/engine_shared.hpp"
#include "lora/actors/install.hpp"
#include "lora/actors/messages.hpp"
#include "lora/actors/plan_cache.hpp"
#include "lora/actors/query.hpp"
#include "lora/actors/query_context.hpp"
#include "lora/actors/query_pool.hpp"
#include "lora/actors/schema.hpp"
#include "lora/actors/shard.hpp"
#include "lora/actors/stream.hpp"
#include "lora/actors/wal_actor.hpp"
