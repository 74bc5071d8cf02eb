// Aggregators (count, sum, avg, min, max, collect, percentiles, stDev) with partial states
// that merge exactly, so shards can pre-aggregate and the coordinator combines.
#include <lora/errors.hpp>
#include <lora/functions/functions.hpp>
#include <lora/memory.hpp>
#include "functions/internal.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

namespace lora::fn {

using detail::bad_argument;

namespace {

using Args = std::span<const Value>;

[[noreturn]] void bad_state(std::string_view agg) {
    throw errors::internal("malformed partial state for " + std::string(agg) + "()");
}

const List& state_list(std::string_view agg, const Value& s, size_t n) {
    if (!s.is_list() || s.as_list().size() != n) bad_state(agg);
    return s.as_list();
}

// Integer sums are kept in 128 bits so the result does not depend on the order rows (or
// shards) are added in; only the final value must fit in an INTEGER.
Value int128_state(__int128 v) {
    auto hi = static_cast<int64_t>(v >> 64);
    auto lo = static_cast<int64_t>(static_cast<uint64_t>(v));
    return Value(List{Value(hi), Value(lo)});
}

__int128 int128_from(std::string_view agg, const Value& s) {
    const List& l = state_list(agg, s, 2);
    if (!l[0].is_int() || !l[1].is_int()) bad_state(agg);
    return (static_cast<__int128>(l[0].as_int()) << 64) |
           static_cast<__int128>(static_cast<uint64_t>(l[1].as_int()));
}

// Sum of a column: exact integer part plus a float part.
struct NumericSum {
    __int128 ints = 0;
    double floats = 0;
    bool saw_float = false;

    void add(std::string_view agg, const Value& v) {
        if (v.is_int())
            ints += v.as_int();
        else if (v.is_float()) {
            floats += v.as_float();
            saw_float = true;
        } else {
            bad_argument(agg, v, "a number");
        }
    }
    double as_double() const { return static_cast<double>(ints) + floats; }
    Value state() const { return Value(List{int128_state(ints), Value(floats), Value(saw_float)}); }
    void merge(std::string_view agg, const Value& s) {
        const List& l = state_list(agg, s, 3);
        if (!l[1].is_float() || !l[2].is_bool()) bad_state(agg);
        ints += int128_from(agg, l[0]);
        floats += l[1].as_float();
        saw_float = saw_float || l[2].as_bool();
    }
};

class CountAgg final : public Aggregator {
public:
    explicit CountAgg(bool star) : star_(star) {}
    void add(Args a) override {
        if (star_ || (!a.empty() && !a[0].is_null())) ++n_;
    }
    Value state() const override { return Value(n_); }
    void merge(const Value& s) override {
        if (!s.is_int()) bad_state("count");
        n_ += s.as_int();
    }
    Value result() const override { return Value(n_); }

private:
    bool star_;
    int64_t n_ = 0;
};

class SumAgg final : public Aggregator {
public:
    void add(Args a) override {
        if (!a[0].is_null()) sum_.add("sum", a[0]);
    }
    Value state() const override { return sum_.state(); }
    void merge(const Value& s) override { sum_.merge("sum", s); }
    Value result() const override {
        if (sum_.saw_float) return Value(sum_.as_double());
        if (sum_.ints > INT64_MAX || sum_.ints < INT64_MIN)
            throw_argument_error("NumberOutOfRange", "sum() overflows an INTEGER");
        return Value(static_cast<int64_t>(sum_.ints));
    }

private:
    NumericSum sum_;
};

class AvgAgg final : public Aggregator {
public:
    void add(Args a) override {
        if (a[0].is_null()) return;
        sum_.add("avg", a[0]);
        ++n_;
    }
    Value state() const override { return Value(List{sum_.state(), Value(n_)}); }
    void merge(const Value& s) override {
        const List& l = state_list("avg", s, 2);
        if (!l[1].is_int()) bad_state("avg");
        sum_.merge("avg", l[0]);
        n_ += l[1].as_int();
    }
    Value result() const override {
        if (n_ == 0) return Value();
        return Value(sum_.as_double() / static_cast<double>(n_));
    }

private:
    NumericSum sum_;
    int64_t n_ = 0;
};

class MinMaxAgg final : public Aggregator {
public:
    explicit MinMaxAgg(bool max) : max_(max) {}
    void add(Args a) override { offer(a[0]); }
    Value state() const override { return best_; }
    void merge(const Value& s) override { offer(s); }
    Value result() const override { return best_; }

private:
    void offer(const Value& v) {
        if (v.is_null()) return;
        if (best_.is_null()) {
            best_ = v;
            return;
        }
        int c = order_compare(v, best_);
        if (max_ ? c > 0 : c < 0) best_ = v;
    }
    bool max_;
    Value best_;
};

class CollectAgg final : public Aggregator {
public:
    explicit CollectAgg(QueryMemory* memory) : memory_(memory) {}
    void add(Args a) override {
        if (a[0].is_null()) return;
        memory_.grow(a[0].footprint(), "collect()");
        items_.push_back(a[0]);
    }
    Value state() const override { return Value(items_); }
    void merge(const Value& s) override {
        if (!s.is_list()) bad_state("collect");
        memory_.grow(s.footprint(), "collect()");
        items_.insert(items_.end(), s.as_list().begin(), s.as_list().end());
    }
    Value result() const override { return Value(items_); }

private:
    MemoryLease memory_;
    List items_;
};

class PercentileAgg final : public Aggregator {
public:
    PercentileAgg(bool cont, QueryMemory* memory) : cont_(cont), memory_(memory) {}
    void add(Args a) override {
        set_percentile(a[1]);
        if (a[0].is_null()) return;
        if (!a[0].is_number()) bad_argument(name(), a[0], "a number");
        memory_.grow(sizeof(Value), name());
        values_.push_back(a[0]);
    }
    Value state() const override { return Value(List{percentile_, Value(values_)}); }
    void merge(const Value& s) override {
        const List& l = state_list(name(), s, 2);
        if (!l[1].is_list()) bad_state(name());
        if (!l[0].is_null()) set_percentile(l[0]);
        memory_.grow(l[1].footprint(), name());
        values_.insert(values_.end(), l[1].as_list().begin(), l[1].as_list().end());
    }
    Value result() const override {
        if (values_.empty()) return Value();
        List sorted = values_;
        std::sort(sorted.begin(), sorted.end(),
                  [](const Value& x, const Value& y) { return order_compare(x, y) < 0; });
        double p = percentile_.as_float();
        size_t n = sorted.size();
        if (cont_) {
            double pos = p * static_cast<double>(n - 1);
            auto lo = static_cast<size_t>(std::floor(pos));
            auto hi = static_cast<size_t>(std::ceil(pos));
            double a = sorted[lo].as_number();
            if (lo == hi) return Value(a);
            double b = sorted[hi].as_number();
            return Value(a + (pos - static_cast<double>(lo)) * (b - a));
        }
        // Discrete: the smallest value whose cumulative share reaches p.
        double pos = p * static_cast<double>(n);
        size_t idx = pos <= 0 ? 0 : static_cast<size_t>(std::ceil(pos)) - 1;
        return sorted[std::min(idx, n - 1)];
    }

private:
    std::string_view name() const { return cont_ ? "percentileCont" : "percentileDisc"; }
    void set_percentile(const Value& p) {
        if (!p.is_number())
            throw_argument_error("NumberOutOfRange",
                                 std::string(name()) +
                                     "() percentile must be a number in [0, 1], got " +
                                     p.to_string());
        double v = p.as_number();
        if (!(v >= 0.0 && v <= 1.0))
            throw_argument_error(
                "NumberOutOfRange",
                std::string(name()) + "() percentile must be in [0, 1], got " + p.to_string());
        percentile_ = Value(v);
    }
    bool cont_;
    MemoryLease memory_;
    Value percentile_;
    List values_;
};

// Welford's running mean/variance; partial states merge with Chan's pairwise formula.
class StDevAgg final : public Aggregator {
public:
    explicit StDevAgg(bool population) : population_(population) {}
    void add(Args a) override {
        if (a[0].is_null()) return;
        if (!a[0].is_number()) bad_argument(name(), a[0], "a number");
        double x = a[0].as_number();
        ++n_;
        double delta = x - mean_;
        mean_ += delta / static_cast<double>(n_);
        m2_ += delta * (x - mean_);
    }
    Value state() const override { return Value(List{Value(n_), Value(mean_), Value(m2_)}); }
    void merge(const Value& s) override {
        const List& l = state_list(name(), s, 3);
        if (!l[0].is_int() || !l[1].is_float() || !l[2].is_float()) bad_state(name());
        int64_t nb = l[0].as_int();
        if (nb == 0) return;
        double mb = l[1].as_float(), m2b = l[2].as_float();
        if (n_ == 0) {
            n_ = nb, mean_ = mb, m2_ = m2b;
            return;
        }
        auto na = static_cast<double>(n_), nbd = static_cast<double>(nb);
        double n = na + nbd;
        double delta = mb - mean_;
        mean_ += delta * nbd / n;
        m2_ += m2b + delta * delta * na * nbd / n;
        n_ += nb;
    }
    Value result() const override {
        int64_t denom = population_ ? n_ : n_ - 1;
        if (denom <= 0) return Value(0.0);
        return Value(std::sqrt(m2_ / static_cast<double>(denom)));
    }

private:
    std::string_view name() const { return population_ ? "stDevP" : "stDev"; }
    bool population_;
    int64_t n_ = 0;
    double mean_ = 0;
    double m2_ = 0;
};

// DISTINCT: feeds the inner aggregator each argument row once (by equivalence). The
// partial state is the set of distinct rows, so merged shards still dedupe globally.
class DistinctAgg final : public Aggregator {
public:
    DistinctAgg(std::unique_ptr<Aggregator> inner, QueryMemory* memory)
        : inner_(std::move(inner)), memory_(memory) {}
    void add(Args a) override { offer(std::vector<Value>(a.begin(), a.end())); }
    Value state() const override {
        List rows;
        rows.reserve(order_.size());
        for (const auto& r : order_) rows.emplace_back(List(r));
        return Value(std::move(rows));
    }
    void merge(const Value& s) override {
        if (!s.is_list()) bad_state("DISTINCT aggregation");
        for (const Value& r : s.as_list()) {
            if (!r.is_list()) bad_state("DISTINCT aggregation");
            offer(r.as_list());
        }
    }
    Value result() const override { return inner_->result(); }

private:
    void offer(std::vector<Value> row) {
        if (!row.empty() && row[0].is_null()) {
            // Nulls never count, but the inner aggregator may still validate arguments
            // (a percentile out of range must fail even when the value is null).
            inner_->add(row);
            return;
        }
        // The row is kept twice: in the set and in first-seen order.
        const uint64_t bytes = 2 * memory::row_footprint(row);
        if (!seen_.insert(row).second) return;
        memory_.grow(bytes, "DISTINCT aggregation");
        inner_->add(row);
        order_.push_back(std::move(row));
    }
    std::unique_ptr<Aggregator> inner_;
    MemoryLease memory_;
    std::unordered_set<std::vector<Value>, ValueEquivHash, ValueEquiv> seen_;
    std::vector<std::vector<Value>> order_;  // first-seen order, so collect(DISTINCT) is stable
};

}  // namespace

std::unique_ptr<Aggregator> make_aggregator(const FunctionInfo& f, bool distinct, bool count_star,
                                            QueryMemory* memory) {
    std::string_view n = f.name;
    std::unique_ptr<Aggregator> a;
    if (n == "count")
        a = std::make_unique<CountAgg>(count_star);
    else if (n == "sum")
        a = std::make_unique<SumAgg>();
    else if (n == "avg")
        a = std::make_unique<AvgAgg>();
    else if (n == "min")
        a = std::make_unique<MinMaxAgg>(false);
    else if (n == "max")
        a = std::make_unique<MinMaxAgg>(true);
    else if (n == "collect")
        a = std::make_unique<CollectAgg>(memory);
    else if (n == "percentilecont")
        a = std::make_unique<PercentileAgg>(true, memory);
    else if (n == "percentiledisc")
        a = std::make_unique<PercentileAgg>(false, memory);
    else if (n == "stdev")
        a = std::make_unique<StDevAgg>(false);
    else if (n == "stdevp")
        a = std::make_unique<StDevAgg>(true);
    else
        throw errors::internal("'" + std::string(n) + "' is not an aggregate function");
    if (distinct && !count_star) a = std::make_unique<DistinctAgg>(std::move(a), memory);
    return a;
}

}  // namespace lora::fn
