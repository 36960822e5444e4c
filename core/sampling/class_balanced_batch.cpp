#include "sampling/class_balanced_batch.h"

#include <algorithm>

#include <ATen/ATen.h>

#include "sampling/checked_class_distribution.h"
#include "sampling/config_fields.h"
#include "sampling/counter_rng.h"

namespace scns {

namespace {

// Draws one of the classes with positive weight (weights need not be normalised).
std::int64_t drawWeighted(const std::vector<double>& w, double u)
{
    double total = 0;
    for (double v : w)
        total += v;
    double target = u * total, run = 0;
    std::int64_t last = -1;
    for (std::size_t c = 0; c < w.size(); ++c) {
        if (w[c] <= 0)
            continue;
        last = static_cast<std::int64_t>(c);
        run += w[c];
        if (target < run)
            return last;
    }
    return last;  // rounding at the top end
}

}  // namespace

at::Tensor buildClassBalancedBatch(const ClassIndex& index, std::int64_t m, std::int64_t n,
                                   const at::Tensor& classDistribution, at::Generator& generator)
{
    const std::int64_t C = index.numClasses();
    if (m < 1)
        field::fail(field::kSupConSamplesPerClass, field::str(m), "at least 1 sample per class");
    if (n < 1 || n > C)
        field::fail(field::kSupConClassesPerBatch, field::str(n), "between 1 and the number of classes (" + field::str(C) + ")");
    for (std::int64_t c = 0; c < C; ++c)
        if (index.count(c) < m)
            field::fail(field::kSupConSamplesPerClass, field::str(m),
                        "at most the size of the smallest class (class " + field::str(c) + " has "
                            + field::str(index.count(c)) + " samples)");
    std::vector<double> dist;
    if (classDistribution.defined() && classDistribution.numel() > 0)
        dist = checkedClassDistribution(classDistribution, index);

    const CounterRng rng(nextKey(generator));
    std::uint64_t counter = 0;
    std::vector<std::int64_t> classes;
    std::vector<bool> taken(static_cast<std::size_t>(C), false);
    const auto take = [&](std::int64_t c) {
        classes.push_back(c);
        taken[c] = true;
    };
    take(static_cast<std::int64_t>(CounterRng::below(rng.at(counter++), static_cast<std::uint64_t>(C))));
    std::vector<double> w(static_cast<std::size_t>(C));
    while (static_cast<std::int64_t>(classes.size()) < n) {
        bool mass = false;
        for (std::int64_t c = 0; c < C; ++c) {
            w[c] = taken[c] ? 0.0 : (dist.empty() ? 1.0 : dist[classes.front() * C + c]);
            mass = mass || w[c] > 0;
        }
        if (!mass)
            for (std::int64_t c = 0; c < C; ++c)
                w[c] = taken[c] ? 0.0 : 1.0;
        take(drawWeighted(w, CounterRng::unit(rng.at(counter++))));
    }

    at::Tensor out = at::empty({n * m}, at::kLong);
    std::int64_t* o = out.data_ptr<std::int64_t>();
    std::vector<std::int64_t> chosen;
    for (std::int64_t g = 0; g < n; ++g) {
        const std::int64_t c = classes[g], count = index.count(c);
        chosen.clear();  // Floyd: m distinct positions out of count
        for (std::int64_t j = count - m; j < count; ++j) {
            const auto t = static_cast<std::int64_t>(CounterRng::below(rng.at(counter++), static_cast<std::uint64_t>(j + 1)));
            chosen.push_back(std::find(chosen.begin(), chosen.end(), t) == chosen.end() ? t : j);
        }
        for (std::int64_t j = 0; j < m; ++j)
            o[g * m + j] = index.member(c, chosen[j]);
    }
    return out;
}

at::Tensor buildClassBalancedBatch(const at::Tensor& labels, std::int64_t numClasses, std::int64_t m, std::int64_t n,
                                   const at::Tensor& classDistribution, at::Generator& generator)
{
    return buildClassBalancedBatch(ClassIndex(labels, numClasses), m, n, classDistribution, generator);
}

}  // namespace scns
