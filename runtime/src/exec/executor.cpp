// Step implementations. Shard steps read and write the local partition; rows that must
// continue elsewhere go to the Runtime. Coordinator steps keep their state here.
#include <lora/exec/executor.hpp>

#include <lora/error.hpp>
#include <lora/storage/catalog.hpp>
#include <lora/storage/partition.hpp>

#include <algorithm>
#include <chrono>
#include <limits>

namespace lora::exec {

using plan::LocKind;
using plan::OpKind;
using plan::Step;
using storage::Catalog;

namespace {

[[noreturn]] void internal(const std::string& msg) {
    throw Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", "Internal",
                "internal: " + msg);
}

bool scalar_kind(ValueKind k) {
    return k == ValueKind::Bool || k == ValueKind::Int || k == ValueKind::Float ||
           k == ValueKind::String;
}

}  // namespace

void check_property_value(const Value& v) {
    if (v.is_null() || scalar_kind(v.kind()) || v.is_vector()) return;
    if (v.is_list()) {
        const auto& l = v.as_list();
        ValueKind first = ValueKind::Null;
        for (const auto& x : l) {
            if (!scalar_kind(x.kind()))
                throw_type_error("InvalidPropertyType",
                                 "Property values can only be of primitive types or arrays "
                                 "thereof, got a list holding " +
                                     std::string(kind_name(x.kind())));
            ValueKind k = x.is_number() ? ValueKind::Float : x.kind();
            if (first == ValueKind::Null)
                first = k;
            else if (first != k)
                throw_type_error("InvalidPropertyType",
                                 "Collections containing mixed types can not be stored in "
                                 "properties");
        }
        return;
    }
    throw_type_error("InvalidPropertyType",
                     "Property values can only be of primitive types or arrays thereof, got " +
                         std::string(kind_name(v.kind())));
}

Executor::Executor(const ExecEnv& env) : env_(env) {
    eval_ = eval_env();
    reset_budget();
}

void Executor::reset_budget() {
    budget_ = env_.chunk_rows ? static_cast<int64_t>(env_.chunk_rows)
                              : std::numeric_limits<int64_t>::max();
}

namespace {
// A source whose remaining output is this small finishes even over budget: deferring
// every short UNWIND list behind a scan would cost one message per input row.
constexpr size_t kSmallTail = 64;
using ProfClock = std::chrono::steady_clock;
}  // namespace

bool Executor::take_budget() { return budget_-- > 0; }

void Executor::check_cancelled(size_t i) const {
    if ((i & 4095) == 0 && env_.cancelled && env_.cancelled->load(std::memory_order_relaxed))
        throw Error(ErrorClass::Transient, ErrorPhase::Runtime, "TransactionError", "Cancelled",
                    "the query was cancelled");
}

EvalEnv Executor::eval_env() const {
    EvalEnv e;
    e.params = env_.params;
    e.part = env_.part;
    e.catalog = env_.catalog;
    e.snap = snap();
    return e;
}

void Executor::push(size_t step, Row& row) {
    const Step& s = env_.plan->steps[step];
    if (s.guard_slot >= 0) {
        const Value& g = row[static_cast<size_t>(s.guard_slot)];
        if (!g.is_bool() || g.as_bool() != s.guard_value) {
            push(step + 1, row);
            return;
        }
    }
    switch (s.loc.kind) {
        case LocKind::Any: break;
        case LocKind::Shard: {
            const Value& v = row[static_cast<size_t>(s.loc.slot)];
            uint64_t id;
            if (v.is_node())
                id = v.as_node().id;
            else if (v.is_relationship())
                id = v.as_relationship().id;
            else
                break;  // null (optional match) or not an entity: run wherever we are
            uint32_t owner = shard_of(id);
            if (env_.here == static_cast<int32_t>(owner)) break;
            env_.runtime->send_row(step, Dest{Dest::Kind::Shard, owner}, std::move(row));
            return;
        }
        case LocKind::AllShards:
            env_.runtime->send_row(step, Dest{Dest::Kind::Broadcast, 0}, std::move(row));
            return;
        case LocKind::NewNode: {
            uint32_t target =
                env_.round_robin->fetch_add(1, std::memory_order_relaxed) % env_.shard_count;
            if (env_.here == static_cast<int32_t>(target)) break;
            env_.runtime->send_row(step, Dest{Dest::Kind::Shard, target}, std::move(row));
            return;
        }
        case LocKind::Coordinator:
            if (env_.here >= 0) {
                env_.runtime->send_row(step, Dest{Dest::Kind::Coordinator, 0}, std::move(row));
                return;
            }
            if (s.barrier) {
                env_.runtime->hold_row(step, std::move(row));
                return;
            }
            break;
    }
    run_here(step, row);
}

int64_t Executor::count_arg(const Step& s, Row& row, const char* what) {
    Value v = eval(*s.expr, row, eval_);
    if (!v.is_int())
        throw Error(ErrorClass::Semantic, ErrorPhase::Runtime, "SyntaxError", "InvalidArgumentType",
                    std::string(what) + " expects a non-negative integer, got " + v.to_string());
    if (v.as_int() < 0)
        throw Error(ErrorClass::Semantic, ErrorPhase::Runtime, "SyntaxError",
                    "NegativeIntegerArgument",
                    std::string(what) + " expects a non-negative integer, got " + v.to_string());
    return v.as_int();
}

// PROFILE measures each step's own time: a step's call includes the steps it pushes into,
// so their time (child_ns_) is taken out of it.
void Executor::run_here(size_t step, Row& row) {
    if (!env_.step_ns) return run_step(step, row);
    auto t0 = ProfClock::now();
    int64_t outer = child_ns_;
    child_ns_ = 0;
    run_step(step, row);
    int64_t total =
        std::chrono::duration_cast<std::chrono::nanoseconds>(ProfClock::now() - t0).count();
    (*env_.step_ns)[step] += total - child_ns_;
    child_ns_ = outer + total;
}

void Executor::run_barrier(size_t step, std::vector<Row>& rows) {
    if (!env_.step_ns) return run_barrier_step(step, rows);
    auto t0 = ProfClock::now();
    int64_t outer = child_ns_;
    child_ns_ = 0;
    run_barrier_step(step, rows);
    int64_t total =
        std::chrono::duration_cast<std::chrono::nanoseconds>(ProfClock::now() - t0).count();
    (*env_.step_ns)[step] += total - child_ns_;
    child_ns_ = outer + total;
}

void Executor::resume(Continuation& c) {
    reset_budget();
    if (env_.cancelled && env_.cancelled->load(std::memory_order_relaxed)) return;
    const Step& s = env_.plan->steps[c.step];
    auto run = [&] {
        if (s.op == OpKind::ScanNodes)
            produce_scan(s, c.step, c.row, c.ids, c.pos);
        else
            produce_unwind(s, c.step, c.row, c.list, c.pos);
    };
    if (!env_.step_ns) return run();
    auto t0 = ProfClock::now();
    int64_t outer = child_ns_;
    child_ns_ = 0;
    run();
    int64_t total =
        std::chrono::duration_cast<std::chrono::nanoseconds>(ProfClock::now() - t0).count();
    (*env_.step_ns)[c.step] += total - child_ns_;
    child_ns_ = outer + total;
}

void Executor::run_step(size_t step, Row& row) {
    const Step& s = env_.plan->steps[step];
    if (env_.step_rows) ++(*env_.step_rows)[step];
    const size_t next = step + 1;
    switch (s.op) {
        case OpKind::ScanNodes: scan(s, step, row); return;
        case OpKind::NodeIndexSeek: index_seek(s, step, row); return;
        case OpKind::Expand: expand(s, step, row); return;
        case OpKind::VarExpand: var_expand(s, step, row); return;
        case OpKind::Filter:
            if (eval_predicate(*s.expr, row, eval_)) push(next, row);
            return;
        case OpKind::Project:
            for (const auto& o : s.outputs)
                row[static_cast<size_t>(o.slot)] = eval(*o.expr, row, eval_);
            push(next, row);
            return;
        case OpKind::Unwind: {
            Value list = eval(*s.expr, row, eval_);
            if (list.is_null()) return;
            if (!list.is_list()) {
                bind_unwound(s, row, std::move(list));
                push(next, row);
                return;
            }
            produce_unwind(s, step, row, list, 0);
            return;
        }
        case OpKind::Attach: {
            auto& v = row[static_cast<size_t>(s.slot)];
            v = attach_local(v, eval_);
            push(next, row);
            return;
        }
        case OpKind::AttachDeep:
            // Only reached when the runtime has no entities to fetch (single process tests);
            // the coordinator actor fetches before releasing the barrier.
            push(next, row);
            return;
        case OpKind::CreateNode: create_node(s, step, row); return;
        case OpKind::CreateRel: create_rel(s, step, row); return;
        case OpKind::SetProperty:
            set_property(s, row);
            push(next, row);
            return;
        case OpKind::SetProperties:
            set_properties(s, row);
            push(next, row);
            return;
        case OpKind::SetLabels:
            labels(s, row, true);
            push(next, row);
            return;
        case OpKind::RemoveLabels:
            labels(s, row, false);
            push(next, row);
            return;
        case OpKind::RemoveProperty:
            remove_property(s, row);
            push(next, row);
            return;
        case OpKind::DeleteRel: {
            const Value& v = row[static_cast<size_t>(s.slot)];
            if (v.is_relationship())
                delete_rel(v.as_relationship().id);
            else if (!v.is_null())
                throw_type_error("InvalidArgumentType", "DELETE expects a relationship");
            push(next, row);
            return;
        }
        case OpKind::DeleteNode:
            delete_node(s, row);
            push(next, row);
            return;
        case OpKind::OptionalBegin: {
            int64_t tag = optional_seq_[step]++;
            row[static_cast<size_t>(s.slot)] = Value(tag);
            optional_inputs_[step].push_back(row);
            push(next, row);
            return;
        }
        case OpKind::Distinct: {
            Row key;
            key.reserve(s.slots.size());
            for (int sl : s.slots) key.push_back(row[static_cast<size_t>(sl)]);
            if (distinct_[step].insert(std::move(key)).second) push(next, row);
            return;
        }
        case OpKind::Skip: {
            auto [it, fresh] = counters_.try_emplace(step, 0);
            if (fresh) it->second = count_arg(s, row, "SKIP");
            if (it->second > 0) {
                --it->second;
                return;
            }
            push(next, row);
            return;
        }
        case OpKind::Limit: {
            auto [it, fresh] = counters_.try_emplace(step, 0);
            if (fresh) it->second = count_arg(s, row, "LIMIT");
            if (it->second <= 0) return;
            --it->second;
            push(next, row);
            return;
        }
        case OpKind::Produce: {
            Row out;
            out.reserve(s.slots.size());
            for (int sl : s.slots) out.push_back(std::move(row[static_cast<size_t>(sl)]));
            env_.runtime->emit_result(std::move(out));
            return;
        }
        case OpKind::CallProcedure: call_procedure(s, step, row); return;
        case OpKind::VectorBegin: vector_begin(s, step, row); return;
        case OpKind::VectorSearch: vector_search(s, step, row); return;
        case OpKind::VectorTopK:
        case OpKind::OptionalEnd:
        case OpKind::SubqueryEnd:
        case OpKind::MergeEnd:
        case OpKind::MergeJoin:
        case OpKind::Aggregate:
        case OpKind::Sort:
        case OpKind::Eager: internal("barrier step run outside a barrier");
    }
}

void Executor::run_barrier_step(size_t step, std::vector<Row>& rows) {
    const Step& s = env_.plan->steps[step];
    if (env_.step_rows) (*env_.step_rows)[step] += static_cast<int64_t>(rows.size());
    const size_t next = step + 1;
    switch (s.op) {
        case OpKind::VectorTopK: vector_topk(s, step, rows); return;
        case OpKind::Eager:
        case OpKind::AttachDeep:
            for (size_t i = 0; i < rows.size(); ++i) {
                check_cancelled(i);
                push(next, rows[i]);
            }
            return;
        case OpKind::Sort: {
            std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
                for (const auto& k : s.sort) {
                    int c = order_compare(a[static_cast<size_t>(k.slot)],
                                          b[static_cast<size_t>(k.slot)]);
                    if (c != 0) return k.descending ? c > 0 : c < 0;
                }
                return false;
            });
            for (size_t i = 0; i < rows.size(); ++i) {
                check_cancelled(i);
                push(next, rows[i]);
            }
            return;
        }
        case OpKind::Aggregate: {
            struct Group {
                Row row;
                std::vector<std::unique_ptr<fn::Aggregator>> aggs;
            };
            std::unordered_map<Row, size_t, ValueEquivHash, ValueEquiv> index;
            std::vector<Group> groups;
            auto make_group = [&](const Row& r) {
                Group g;
                g.row.assign(static_cast<size_t>(env_.plan->slot_count), Value());
                for (int k : s.key_slots) g.row[static_cast<size_t>(k)] = r[static_cast<size_t>(k)];
                for (const auto& a : s.aggs)
                    g.aggs.push_back(fn::make_aggregator(*a.fn, a.distinct, a.count_star));
                groups.push_back(std::move(g));
            };
            std::vector<Value> args;
            size_t seen = 0;
            for (auto& r : rows) {
                check_cancelled(seen++);
                Row key;
                key.reserve(s.key_slots.size());
                for (int k : s.key_slots) key.push_back(r[static_cast<size_t>(k)]);
                auto [it, fresh] = index.try_emplace(std::move(key), groups.size());
                if (fresh) make_group(r);
                Group& g = groups[it->second];
                for (size_t i = 0; i < s.aggs.size(); ++i) {
                    args.clear();
                    for (int a : s.aggs[i].arg_slots) args.push_back(r[static_cast<size_t>(a)]);
                    g.aggs[i]->add(args);
                }
            }
            // Aggregation without grouping keys yields one row even over no input.
            if (groups.empty() && s.key_slots.empty())
                make_group(Row(static_cast<size_t>(env_.plan->slot_count)));
            rows.clear();
            for (auto& g : groups) {
                for (size_t i = 0; i < s.aggs.size(); ++i)
                    g.row[static_cast<size_t>(s.aggs[i].slot)] = g.aggs[i]->result();
                push(next, g.row);
            }
            return;
        }
        case OpKind::OptionalEnd: {
            auto& inputs = optional_inputs_[static_cast<size_t>(s.pair)];
            std::vector<bool> matched = matched_inputs(s, rows, inputs.size());
            for (auto& r : rows) push(next, r);
            for (size_t i = 0; i < inputs.size(); ++i) {
                if (matched[i]) continue;
                Row r = std::move(inputs[i]);
                for (int sl : s.slots) r[static_cast<size_t>(sl)] = Value();
                push(next, r);
            }
            inputs.clear();
            return;
        }
        case OpKind::SubqueryEnd: {
            const Step& begin = env_.plan->steps[static_cast<size_t>(s.pair)];
            auto& inputs = optional_inputs_[static_cast<size_t>(s.pair)];
            std::vector<List> found(inputs.size());
            for (auto& r : rows) {
                const Value& tag = r[static_cast<size_t>(begin.slot)];
                if (!tag.is_int() || tag.as_int() < 0 ||
                    static_cast<size_t>(tag.as_int()) >= found.size())
                    continue;
                found[static_cast<size_t>(tag.as_int())].push_back(
                    s.to_slot >= 0 ? r[static_cast<size_t>(s.to_slot)] : Value());
            }
            rows.clear();
            for (size_t i = 0; i < inputs.size(); ++i) {
                Row r = std::move(inputs[i]);
                r[static_cast<size_t>(s.slot)] = Value(std::move(found[i]));
                push(next, r);
            }
            inputs.clear();
            return;
        }
        case OpKind::MergeEnd: {
            auto& inputs = optional_inputs_[static_cast<size_t>(s.pair)];
            std::vector<bool> matched = matched_inputs(s, rows, inputs.size());
            std::vector<Row> matched_rows = std::move(rows);
            rows.clear();
            auto& groups = merge_groups_[step];
            std::unordered_map<Value, size_t, ValueEquivHash, ValueEquiv> index;
            std::vector<Row> creators;
            for (size_t i = 0; i < inputs.size(); ++i) {
                if (matched[i]) continue;
                const Value& key = inputs[i][static_cast<size_t>(s.key_slots.at(0))];
                auto [it, fresh] = index.try_emplace(key, groups.size());
                if (fresh) {
                    groups.emplace_back();
                    Row r = std::move(inputs[i]);
                    r[static_cast<size_t>(s.slot)] = Value(false);
                    r[static_cast<size_t>(s.aux_slot)] = Value(static_cast<int64_t>(it->second));
                    creators.push_back(std::move(r));
                } else {
                    groups[it->second].push_back(std::move(inputs[i]));
                }
            }
            inputs.clear();
            for (auto& r : matched_rows) {
                r[static_cast<size_t>(s.slot)] = Value(true);
                push(next, r);
            }
            for (auto& r : creators) push(next, r);
            return;
        }
        case OpKind::MergeJoin: {
            auto& groups = merge_groups_[static_cast<size_t>(s.pair)];
            std::vector<Row> out = std::move(rows);
            rows.clear();
            for (auto& r : out) {
                const Value& flag = r[static_cast<size_t>(s.slot)];
                const Value& group = r[static_cast<size_t>(s.aux_slot)];
                if (flag.is_bool() && !flag.as_bool() && group.is_int() &&
                    static_cast<size_t>(group.as_int()) < groups.size()) {
                    // The rest of the group finds what this row created: they match it.
                    for (auto& m : groups[static_cast<size_t>(group.as_int())]) {
                        for (int sl : s.slots)
                            m[static_cast<size_t>(sl)] = r[static_cast<size_t>(sl)];
                        m[static_cast<size_t>(s.slot)] = Value(true);
                        push(next, m);
                    }
                    groups[static_cast<size_t>(group.as_int())].clear();
                }
                push(next, r);
            }
            return;
        }
        default: internal("step is not a barrier");
    }
}

void Executor::call_procedure(const Step& s, size_t step, Row& row) {
    const auto& sig = s.procedure->signature;
    std::vector<Value> args;
    for (size_t i = 0; i < s.args.size(); ++i) {
        Value v = eval(*s.args[i], row, eval_);
        std::string type = i < sig.inputs.size() ? sig.inputs[i].second : std::string();
        if (type.rfind("FLOAT", 0) == 0 && v.is_int()) v = Value(static_cast<double>(v.as_int()));
        args.push_back(std::move(v));
    }
    auto rows = s.procedure->fn(args);
    if (sig.outputs.empty()) {
        // A void procedure leaves the rows as they are.
        push(step + 1, row);
        return;
    }
    for (auto& out : rows) {
        Row r = row;
        for (const auto& [field, slot] : s.yields) {
            for (size_t i = 0; i < sig.outputs.size() && i < out.size(); ++i)
                if (sig.outputs[i].first == field) r[static_cast<size_t>(slot)] = out[i];
        }
        push(step + 1, r);
    }
}

void Executor::var_expand(const Step& s, size_t step, Row& row) {
    auto at = [&](int slot) -> Value& { return row[static_cast<size_t>(slot)]; };
    if (at(s.aux_slot).is_null()) {
        // First entry: the frontier is the start node and the path is empty.
        const Value& from = at(s.slot);
        if (!from.is_node()) {
            if (from.is_null()) return;
            throw_type_error("InvalidArgumentType", "Expected a node to expand from");
        }
        at(s.aux_slot) = from;
        at(s.rel_slot) = Value(List{});
        if (s.min_hops == 0) {
            bool ok = !s.to_bound ||
                      (at(s.to_slot).is_node() && at(s.to_slot).as_node().id == from.as_node().id);
            if (ok) {
                Row out = row;
                if (!s.to_bound) out[static_cast<size_t>(s.to_slot)] = from;
                out[static_cast<size_t>(s.aux_slot)] = Value();
                push(step + 1, out);
            }
        }
        if (s.max_hops == 0) return;
        push(step, row);  // continue at the frontier's shard
        return;
    }
    if (!env_.part) internal("variable-length expand outside a shard");
    uint64_t frontier = at(s.aux_slot).as_node().id;
    const List& sofar = at(s.rel_slot).as_list();
    int64_t depth = static_cast<int64_t>(sofar.size()) + 1;
    std::vector<uint32_t> types;
    for (const auto& t : s.types)
        if (auto tid = env_.catalog->lookup(Catalog::Kind::Type, t)) types.push_back(*tid);
    if (!s.types.empty() && types.empty()) return;
    auto used = [&](uint64_t rel) {
        for (const auto& r : sofar)
            if (r.as_relationship().id == rel) return true;
        return false;
    };
    struct Hop {
        storage::Edge e;
        bool outgoing;
    };
    std::vector<Hop> hops;
    const storage::View view = this->view();
    auto consider = [&](bool outgoing, bool skip_loops) {
        view.for_each_edge(frontier, outgoing, [&](const storage::Edge& e) {
            if (!types.empty() && std::find(types.begin(), types.end(), e.type) == types.end())
                return;
            if (skip_loops && e.other == frontier) return;
            if (used(e.rel)) return;
            hops.push_back({e, outgoing});
        });
    };
    if (s.dir != Direction::Incoming) consider(true, false);
    if (s.dir != Direction::Outgoing) consider(false, s.dir == Direction::Both);
    for (const auto& h : hops) {
        Relationship r;
        r.id = h.e.rel;
        r.type_id = h.e.type;
        r.start = h.outgoing ? frontier : h.e.other;
        r.end = h.outgoing ? h.e.other : frontier;
        List rels = sofar;
        rels.push_back(Value(std::move(r)));
        Value other = Value(Node{h.e.other, nullptr});
        if (depth >= s.min_hops && (s.max_hops < 0 || depth <= s.max_hops)) {
            bool ok =
                !s.to_bound || (at(s.to_slot).is_node() && at(s.to_slot).as_node().id == h.e.other);
            if (ok) {
                Row out = row;
                if (s.reversed) {
                    List in_order(rels.rbegin(), rels.rend());
                    out[static_cast<size_t>(s.rel_slot)] = Value(std::move(in_order));
                } else {
                    out[static_cast<size_t>(s.rel_slot)] = Value(rels);
                }
                if (!s.to_bound) out[static_cast<size_t>(s.to_slot)] = other;
                out[static_cast<size_t>(s.aux_slot)] = Value();
                push(step + 1, out);
            }
        }
        if (s.max_hops < 0 || depth < s.max_hops) {
            Row more = row;
            more[static_cast<size_t>(s.rel_slot)] = Value(std::move(rels));
            more[static_cast<size_t>(s.aux_slot)] = std::move(other);
            push(step, more);
        }
    }
}

// Which remembered inputs of the begin step paired with `end` produced at least one row.
std::vector<bool> Executor::matched_inputs(const Step& end, const std::vector<Row>& rows,
                                           size_t inputs) const {
    const Step& begin = env_.plan->steps[static_cast<size_t>(end.pair)];
    std::vector<bool> matched(inputs, false);
    for (const auto& r : rows) {
        const Value& tag = r[static_cast<size_t>(begin.slot)];
        if (tag.is_int() && tag.as_int() >= 0 && static_cast<size_t>(tag.as_int()) < inputs)
            matched[static_cast<size_t>(tag.as_int())] = true;
    }
    return matched;
}

void Executor::scan(const Step& s, size_t step, Row& row) {
    if (!env_.part) internal("scan outside a shard");
    // The ids are taken now (the scan's snapshot); their rows are produced in chunks.
    auto ids = std::make_shared<std::vector<uint64_t>>();
    if (s.labels.empty()) {
        ids->reserve(env_.part->node_count());
        view().node_ids(std::nullopt, *ids);
    } else {
        auto label = env_.catalog->lookup(Catalog::Kind::Label, s.labels[0]);
        if (!label) return;
        view().node_ids(*label, *ids);
    }
    produce_scan(s, step, row, std::move(ids), 0);
}

void Executor::produce_scan(const Step& s, size_t step, Row& row,
                            std::shared_ptr<const std::vector<uint64_t>> ids, size_t pos) {
    const auto& v = *ids;
    for (size_t i = pos; i < v.size(); ++i) {
        if (!take_budget() && v.size() - i > kSmallTail) {
            auto c = std::make_shared<Continuation>();
            c->step = step;
            c->row = std::move(row);
            c->ids = std::move(ids);
            c->pos = i;
            env_.runtime->defer(std::move(c));
            return;
        }
        Row out = (i + 1 == v.size()) ? std::move(row) : row;
        out[static_cast<size_t>(s.slot)] = Value(Node{v[i], nullptr});
        push(step + 1, out);
    }
}

void Executor::bind_unwound(const Step& s, Row& row, Value v) {
    if (s.unpack.empty()) {
        row[static_cast<size_t>(s.slot)] = std::move(v);
        return;
    }
    if (v.is_map()) {
        const Map& m = v.as_map();
        for (const auto& [key, slot] : s.unpack) {
            auto it = m.find(key);
            row[static_cast<size_t>(slot)] = it == m.end() ? Value() : it->second;
        }
        row[static_cast<size_t>(s.slot)] = Value();
        return;
    }
    for (const auto& [key, slot] : s.unpack) row[static_cast<size_t>(slot)] = Value();
    row[static_cast<size_t>(s.slot)] = std::move(v);
}

void Executor::produce_unwind(const Step& s, size_t step, Row& row, const Value& list, size_t pos) {
    const auto& l = list.as_list();
    for (size_t i = pos; i < l.size(); ++i) {
        if (!take_budget() && l.size() - i > kSmallTail) {
            auto c = std::make_shared<Continuation>();
            c->step = step;
            c->row = std::move(row);
            c->list = list;
            c->pos = i;
            env_.runtime->defer(std::move(c));
            return;
        }
        Row out = (i + 1 == l.size()) ? std::move(row) : row;
        bind_unwound(s, out, l[i]);
        push(step + 1, out);
    }
}

void Executor::expand(const Step& s, size_t step, Row& row) {
    const Value& from = row[static_cast<size_t>(s.slot)];
    if (!from.is_node()) {
        if (from.is_null()) return;
        throw_type_error("InvalidArgumentType", "Expected a node to expand from, got " +
                                                    std::string(kind_name(from.kind())));
    }
    if (!env_.part) internal("expand outside a shard");
    uint64_t id = from.as_node().id;
    std::vector<uint32_t> types;
    for (const auto& t : s.types) {
        auto tid = env_.catalog->lookup(Catalog::Kind::Type, t);
        if (tid) types.push_back(*tid);
    }
    if (!s.types.empty() && types.empty()) return;
    uint64_t want_to = 0, want_rel = 0;
    if (s.to_bound) {
        const Value& t = row[static_cast<size_t>(s.to_slot)];
        if (!t.is_node()) return;
        want_to = t.as_node().id;
    }
    if (s.rel_bound) {
        const Value& r = row[static_cast<size_t>(s.rel_slot)];
        if (!r.is_relationship()) return;
        want_rel = r.as_relationship().id;
    }
    struct Hit {
        storage::Edge e;
        bool outgoing;
    };
    std::vector<Hit> hits;
    const storage::View view = this->view();
    // A self-loop appears in both lists; it is one match when undirected.
    auto consider = [&](bool outgoing, bool skip_loops) {
        view.for_each_edge(id, outgoing, [&](const storage::Edge& e) {
            if (skip_loops && e.other == id) return;
            if (!types.empty() && std::find(types.begin(), types.end(), e.type) == types.end())
                return;
            if (s.to_bound && e.other != want_to) return;
            if (s.rel_bound && e.rel != want_rel) return;
            hits.push_back({e, outgoing});
        });
    };
    if (s.dir != Direction::Incoming) consider(true, false);
    if (s.dir != Direction::Outgoing) consider(false, s.dir == Direction::Both);
    for (size_t i = 0; i < hits.size(); ++i) {
        const auto& h = hits[i];
        Row out = (i + 1 == hits.size()) ? std::move(row) : row;
        Relationship r;
        r.id = h.e.rel;
        r.type_id = h.e.type;
        r.start = h.outgoing ? id : h.e.other;
        r.end = h.outgoing ? h.e.other : id;
        out[static_cast<size_t>(s.rel_slot)] = Value(std::move(r));
        if (!s.to_bound) out[static_cast<size_t>(s.to_slot)] = Value(Node{h.e.other, nullptr});
        push(step + 1, out);
    }
}

void Executor::mutate(uint32_t shard, const Mutation& m) {
    if (env_.here == static_cast<int32_t>(shard))
        apply(m);
    else
        env_.runtime->send_mutation(shard, m);
}

void Executor::apply(const Mutation& m) {
    if (!env_.part) internal("mutation outside a shard");
    switch (m.kind) {
        case Mutation::Kind::AddInEdge: w_add_in_edge(m.node, m.rel, m.type, m.other); break;
        case Mutation::Kind::RemoveInEdge: w_remove_in_edge(m.node, m.rel, m.type, m.other); break;
        case Mutation::Kind::DeleteRel: delete_rel(m.rel); break;
    }
}

// ---- logged partition changes: every write goes through these, so the transaction log
// ---- has the redo (for the WAL) and undo (for abort) of each change.

const std::string& Executor::name_of(Catalog::Kind kind, uint32_t id) const {
    return env_.catalog->name(kind, id);
}

void Executor::lock(uint64_t id, bool rel) {
    if (env_.locks && env_.log)
        env_.locks->acquire(WriteLocks::key(id, rel), env_.txn, env_.start_ts, *env_.log);
}

uint64_t Executor::w_create_node() {
    uint64_t id = env_.part->create_node();
    if (env_.log) {
        env_.part->versions().node_created(id, env_.txn);
        env_.log->redo.push_back({RedoOp::Kind::CreateNode, id, 0, 0, {}, {}});
        env_.log->undo.push_back({UndoOp::Kind::DropNode, id, 0, 0, 0, {}});
    }
    ++env_.stats->nodes_created;
    return id;
}

bool Executor::w_label(uint64_t node, uint32_t label, bool add, bool fresh) {
    if (!fresh) lock(node, false);
    if (env_.part->has_label(node, label) == add) return false;
    if (env_.log) env_.part->versions().before_node_change(*env_.part, node, env_.txn);
    bool changed = add ? env_.part->add_label(node, label) : env_.part->remove_label(node, label);
    if (!changed) return false;
    if (env_.log) {
        env_.log->redo.push_back({add ? RedoOp::Kind::AddLabel : RedoOp::Kind::RemoveLabel,
                                  node,
                                  0,
                                  0,
                                  name_of(Catalog::Kind::Label, label),
                                  {}});
        env_.log->undo.push_back(
            {add ? UndoOp::Kind::RemoveLabel : UndoOp::Kind::AddLabel, node, 0, 0, label, {}});
    }
    if (add)
        ++env_.stats->labels_added;
    else
        ++env_.stats->labels_removed;
    return true;
}

bool Executor::w_set_property(bool node, uint64_t id, uint32_t key, const Value& v, bool fresh) {
    if (!fresh) lock(id, !node);
    const Value* cur = node ? env_.part->node_property(id, key) : env_.part->rel_property(id, key);
    Value old = cur ? *cur : Value();
    // A fresh entity is versioned as created already: no image of it to keep.
    if (env_.log && !fresh) {
        if (node)
            env_.part->versions().before_node_change(*env_.part, id, env_.txn);
        else
            env_.part->versions().before_rel_change(*env_.part, id, env_.txn);
    }
    bool changed =
        node ? env_.part->set_node_property(id, key, v) : env_.part->set_rel_property(id, key, v);
    if (!changed) return false;
    if (env_.log) {
        env_.log->redo.push_back(
            {node ? RedoOp::Kind::SetNodeProperty : RedoOp::Kind::SetRelProperty, id, 0, 0,
             name_of(Catalog::Kind::Key, key), v});
        // A fresh relationship's properties go with it when its creation is undone
        // (Partition::delete_relationship clears them): no undo entry of their own.
        if (node || !fresh)
            env_.log->undo.push_back(
                {node ? UndoOp::Kind::SetNodeProperty : UndoOp::Kind::SetRelProperty, id, 0, 0, key,
                 std::move(old)});
    }
    return true;
}

uint64_t Executor::w_create_rel(uint64_t start, uint32_t type, uint64_t end) {
    uint64_t rel = env_.part->create_relationship(start, type, end);
    if (env_.log) {
        env_.part->versions().rel_created(rel, env_.txn);  // its outgoing entry included
        env_.log->redo.push_back(
            {RedoOp::Kind::CreateRel, rel, start, end, name_of(Catalog::Kind::Type, type), {}});
        env_.log->undo.push_back({UndoOp::Kind::DropRel, rel, start, end, type, {}});
    }
    ++env_.stats->relationships_created;
    return rel;
}

void Executor::w_add_in_edge(uint64_t end, uint64_t rel, uint32_t type, uint64_t start) {
    if (env_.part->add_in_edge(end, rel, type, start) && env_.log) {
        env_.log->undo.push_back({UndoOp::Kind::RemoveInEdge, rel, start, end, type, {}});
        // Only create_rel adds incoming entries: the relationship is this transaction's.
        env_.part->versions().in_edge_created(rel, env_.txn);
    }
}

void Executor::w_remove_in_edge(uint64_t end, uint64_t rel, uint32_t type, uint64_t start) {
    if (env_.part->remove_in_edge(end, rel) && env_.log) {
        env_.log->undo.push_back({UndoOp::Kind::AddInEdge, rel, start, end, type, {}});
        env_.part->versions().edge_changed(end, storage::Edge{rel, start, type}, false, false,
                                           env_.txn);
    }
}

void Executor::delete_rel(uint64_t rel) {
    uint32_t owner = shard_of(rel);
    if (env_.here != static_cast<int32_t>(owner)) {
        mutate(owner, Mutation{Mutation::Kind::DeleteRel, 0, rel, 0, 0});
        return;
    }
    auto info = env_.part->relationship(rel);
    if (!info) return;  // already deleted (by this query or another)
    lock(rel, true);
    std::vector<storage::Property> props;
    if (env_.log) {
        auto span = env_.part->rel_properties(rel);
        props.assign(span.begin(), span.end());
    }
    if (env_.log) {
        env_.part->versions().before_rel_change(*env_.part, rel, env_.txn);
        env_.part->versions().edge_changed(info->start, storage::Edge{rel, info->end, info->type},
                                           true, false, env_.txn);
    }
    env_.part->delete_relationship(rel);
    if (env_.log) {
        // Undo runs in reverse: the revive is pushed last so it runs before the restores.
        env_.log->redo.push_back({RedoOp::Kind::DeleteRel, rel, 0, 0, {}, {}});
        for (auto& p : props)
            env_.log->undo.push_back({UndoOp::Kind::SetRelProperty, rel, 0, 0, p.key, p.value});
        env_.log->undo.push_back(
            {UndoOp::Kind::ReviveRel, rel, info->start, info->end, info->type, {}});
    }
    ++env_.stats->relationships_deleted;
    mutate(shard_of(info->end),
           Mutation{Mutation::Kind::RemoveInEdge, info->end, rel, info->start, info->type});
}

void Executor::delete_node(const Step& s, Row& row) {
    const Value& v = row[static_cast<size_t>(s.slot)];
    if (v.is_null()) return;
    if (!v.is_node()) throw_type_error("InvalidArgumentType", "DELETE expects a node");
    uint64_t id = v.as_node().id;
    // Gone for this snapshot: nothing to do. Gone only since (deleted by a transaction this
    // one does not see): the lock reports the conflict.
    if (!view().node_exists(id)) return;
    lock(id, false);
    if (!env_.part->node_exists(id)) return;
    if (s.detach) {
        std::vector<storage::Edge> out(env_.part->out_edges(id).begin(),
                                       env_.part->out_edges(id).end());
        std::vector<storage::Edge> in(env_.part->in_edges(id).begin(),
                                      env_.part->in_edges(id).end());
        for (const auto& e : out) delete_rel(e.rel);
        for (const auto& e : in) {
            w_remove_in_edge(id, e.rel, e.type, e.other);
            delete_rel(e.rel);
        }
    }
    if (env_.part->degree(id) != 0)
        throw Error(ErrorClass::Constraint, ErrorPhase::Runtime, "ConstraintVerificationFailed",
                    "DeleteConnectedNode",
                    "Cannot delete node " + std::to_string(id) +
                        " because it still has relationships. To delete this node, you must "
                        "first delete its relationships, or use DETACH DELETE.");
    std::vector<uint32_t> labels;
    std::vector<storage::Property> props;
    if (env_.log) {
        auto ls = env_.part->labels(id);
        labels.assign(ls.begin(), ls.end());
        auto ps = env_.part->node_properties(id);
        props.assign(ps.begin(), ps.end());
    }
    if (env_.log) env_.part->versions().before_node_change(*env_.part, id, env_.txn);
    env_.part->delete_node(id);
    if (env_.log) {
        env_.log->redo.push_back({RedoOp::Kind::DeleteNode, id, 0, 0, {}, {}});
        for (auto& p : props)
            env_.log->undo.push_back({UndoOp::Kind::SetNodeProperty, id, 0, 0, p.key, p.value});
        for (auto l = labels.rbegin(); l != labels.rend(); ++l)
            env_.log->undo.push_back({UndoOp::Kind::AddLabel, id, 0, 0, *l, {}});
        env_.log->undo.push_back({UndoOp::Kind::ReviveNode, id, 0, 0, 0, {}});
    }
    ++env_.stats->nodes_deleted;
}

void Executor::create_node(const Step& s, size_t step, Row& row) {
    if (!env_.part) internal("create outside a shard");
    if (s.expr && s.expr->kind == EK::Map) {
        create_node_literal(s, step, row);
        return;
    }
    Map props;
    if (s.expr) {
        Value pv = eval(*s.expr, row, eval_);
        if (pv.is_map())
            props = pv.as_map();
        else if (!pv.is_null())
            throw_type_error("InvalidArgumentType", "Node properties must be a map");
    }
    for (auto& [k, v] : props) check_property_value(v);
    uint64_t id = w_create_node();
    for (const auto& l : s.labels)
        w_label(id, env_.catalog->intern(Catalog::Kind::Label, l), true, /*fresh=*/true);
    for (auto& [k, v] : props) {
        if (v.is_null()) continue;
        w_set_property(true, id, env_.catalog->intern(Catalog::Kind::Key, k), v, /*fresh=*/true);
        ++env_.stats->properties_set;
    }
    row[static_cast<size_t>(s.slot)] = Value(Node{id, nullptr});
    push(step + 1, row);
}

void Executor::create_rel(const Step& s, size_t step, Row& row) {
    const Value& a = row[static_cast<size_t>(s.slot)];
    const Value& b = row[static_cast<size_t>(s.to_slot)];
    if (!a.is_node() || !b.is_node())
        throw Error(ErrorClass::Semantic, ErrorPhase::Runtime, "SemanticError",
                    "InvalidArgumentType",
                    "Failed to create relationship: an endpoint is null or not a node");
    if (s.expr && s.expr->kind == EK::Map) {
        create_rel_literal(s, step, row);
        return;
    }
    Map props;
    if (s.expr) {
        Value pv = eval(*s.expr, row, eval_);
        if (pv.is_map()) props = pv.as_map();
    }
    for (auto& [k, v] : props) check_property_value(v);
    uint64_t start = a.as_node().id, end = b.as_node().id;
    uint32_t type = env_.catalog->intern(Catalog::Kind::Type, s.types.at(0));
    uint64_t rel = w_create_rel(start, type, end);
    for (auto& [k, v] : props) {
        if (v.is_null()) continue;
        w_set_property(false, rel, env_.catalog->intern(Catalog::Kind::Key, k), v, /*fresh=*/true);
        ++env_.stats->properties_set;
    }
    finish_create_rel(s, step, row, rel, start, end, type);
}

void Executor::finish_create_rel(const Step& s, size_t step, Row& row, uint64_t rel, uint64_t start,
                                 uint64_t end, uint32_t type) {
    mutate(shard_of(end), Mutation{Mutation::Kind::AddInEdge, end, rel, start, type});
    if (s.rel_slot >= 0) {  // -1: nothing reads it (plan/unwind_unpack.cpp)
        Relationship r;
        r.id = rel;
        r.start = start;
        r.end = end;
        r.type_id = type;
        row[static_cast<size_t>(s.rel_slot)] = Value(std::move(r));
    }
    push(step + 1, row);
}

// CREATE ()-[:T {k: expr, ...}]->(): the properties are computed straight into a reused
// vector instead of a Map built per row and copied, and the catalog ids of the type and
// keys are looked up once per handler. Same order of checks and writes as the general path
// (keys in Map order; a key is interned only once it gets a non-null value).
Executor::CreateIds& Executor::literal_ids(size_t step, const CExpr& m) {
    auto [it, fresh_step] = create_ids_.try_emplace(step);
    CreateIds& ids = it->second;
    if (fresh_step) {
        ids.order.resize(m.keys.size());
        for (size_t i = 0; i < ids.order.size(); ++i) ids.order[i] = i;
        // Map order; a repeated key keeps its last value (Map::insert_or_assign).
        std::stable_sort(ids.order.begin(), ids.order.end(),
                         [&](size_t x, size_t y) { return m.keys[x] < m.keys[y]; });
        std::vector<size_t> last;
        for (size_t k = 0; k < ids.order.size(); ++k) {
            if (k + 1 < ids.order.size() && m.keys[ids.order[k]] == m.keys[ids.order[k + 1]])
                continue;
            last.push_back(ids.order[k]);
        }
        ids.order = std::move(last);
        ids.keys.assign(m.keys.size(), -1);
    }
    return ids;
}

std::vector<Value>& Executor::literal_values(const CExpr& m, const CreateIds& ids, Row& row) {
    std::vector<Value>& vals = create_vals_;
    vals.clear();
    for (const auto& c : m.children) vals.push_back(eval(*c, row, eval_));
    for (size_t i : ids.order) check_property_value(vals[i]);
    return vals;
}

void Executor::set_literal_properties(bool node, uint64_t id, const CExpr& m, CreateIds& ids,
                                      const std::vector<Value>& vals) {
    for (size_t i : ids.order) {
        if (vals[i].is_null()) continue;
        if (ids.keys[i] < 0) ids.keys[i] = env_.catalog->intern(Catalog::Kind::Key, m.keys[i]);
        w_set_property(node, id, static_cast<uint32_t>(ids.keys[i]), vals[i], /*fresh=*/true);
        ++env_.stats->properties_set;
    }
}

// CREATE (:L {k: expr, ...}): as create_rel_literal, for a node.
void Executor::create_node_literal(const Step& s, size_t step, Row& row) {
    const CExpr& m = *s.expr;
    CreateIds& ids = literal_ids(step, m);
    const std::vector<Value>& vals = literal_values(m, ids, row);
    const uint64_t id = w_create_node();
    if (ids.labels.size() != s.labels.size()) {
        ids.labels.clear();
        for (const auto& l : s.labels)
            ids.labels.push_back(env_.catalog->intern(Catalog::Kind::Label, l));
    }
    for (uint32_t l : ids.labels) w_label(id, l, true, /*fresh=*/true);
    set_literal_properties(true, id, m, ids, vals);
    row[static_cast<size_t>(s.slot)] = Value(Node{id, nullptr});
    push(step + 1, row);
}

void Executor::create_rel_literal(const Step& s, size_t step, Row& row) {
    const CExpr& m = *s.expr;
    CreateIds& ids = literal_ids(step, m);
    const std::vector<Value>& vals = literal_values(m, ids, row);
    // Interned after the checks, as the general path does: a failed CREATE adds no name.
    if (!ids.has_type) {
        ids.type = env_.catalog->intern(Catalog::Kind::Type, s.types.at(0));
        ids.has_type = true;
    }
    const uint64_t start = row[static_cast<size_t>(s.slot)].as_node().id;
    const uint64_t end = row[static_cast<size_t>(s.to_slot)].as_node().id;
    const uint64_t rel = w_create_rel(start, ids.type, end);
    set_literal_properties(false, rel, m, ids, vals);
    finish_create_rel(s, step, row, rel, start, end, ids.type);
}

namespace {

struct Target {
    bool node = false;
    uint64_t id = 0;
};

std::optional<Target> target_of(const Value& v) {
    if (v.is_node()) return Target{true, v.as_node().id};
    if (v.is_relationship()) return Target{false, v.as_relationship().id};
    if (v.is_null()) return std::nullopt;
    throw_type_error("InvalidArgumentType",
                     "Expected a node or relationship, got " + std::string(kind_name(v.kind())));
}

}  // namespace

void Executor::set_property(const Step& s, Row& row) {
    auto t = target_of(row[static_cast<size_t>(s.slot)]);
    Value v = eval(*s.expr, row, eval_);
    if (!t) return;
    check_property_value(v);
    w_set_property(t->node, t->id, env_.catalog->intern(Catalog::Kind::Key, s.key), v);
    ++env_.stats->properties_set;
}

void Executor::set_properties(const Step& s, Row& row) {
    auto t = target_of(row[static_cast<size_t>(s.slot)]);
    Value v = attach_local(eval(*s.expr, row, eval_), eval_);
    if (!t) return;
    const Map* props = nullptr;
    if (v.is_map())
        props = &v.as_map();
    else if (v.is_node() && v.as_node().data)
        props = &v.as_node().data->properties;
    else if (v.is_relationship() && v.as_relationship().data)
        props = &v.as_relationship().data->properties;
    else if (!v.is_null())
        throw_type_error("InvalidArgumentType",
                         "SET expects a map, got " + std::string(kind_name(v.kind())));
    Map copy = props ? *props : Map{};
    for (auto& [k, x] : copy) check_property_value(x);
    if (!s.merge_props) {
        // Replace: properties not in the map go away.
        std::vector<uint32_t> old;
        auto span = t->node ? env_.part->node_properties(t->id) : env_.part->rel_properties(t->id);
        for (const auto& p : span) old.push_back(p.key);
        for (uint32_t k : old) {
            if (copy.count(env_.catalog->name(Catalog::Kind::Key, k))) continue;
            w_set_property(t->node, t->id, k, Value());
            ++env_.stats->properties_set;
        }
    }
    for (auto& [k, x] : copy) {
        w_set_property(t->node, t->id, env_.catalog->intern(Catalog::Kind::Key, k), x);
        ++env_.stats->properties_set;
    }
}

void Executor::labels(const Step& s, Row& row, bool add) {
    const Value& v = row[static_cast<size_t>(s.slot)];
    if (v.is_null()) return;
    if (!v.is_node()) throw_type_error("InvalidArgumentType", "Labels can only be set on nodes");
    uint64_t id = v.as_node().id;
    for (const auto& l : s.labels) {
        if (add) {
            w_label(id, env_.catalog->intern(Catalog::Kind::Label, l), true);
        } else {
            auto lid = env_.catalog->lookup(Catalog::Kind::Label, l);
            if (lid) w_label(id, *lid, false);
        }
    }
}

void Executor::remove_property(const Step& s, Row& row) {
    auto t = target_of(row[static_cast<size_t>(s.slot)]);
    if (!t) return;
    auto key = env_.catalog->lookup(Catalog::Kind::Key, s.key);
    if (!key) return;
    if (w_set_property(t->node, t->id, *key, Value())) ++env_.stats->properties_set;
}

}  // namespace lora::exec
