#include "sampling/device_draws.h"

#include <limits>
#include <vector>

#include <ATen/ATen.h>

#include "sampling/alias_table.h"
#include "sampling/class_index.h"

namespace scns {

namespace {

// uint64 constants as the int64 with the same bits (products wrap alike).
constexpr std::int64_t asSigned(std::uint64_t v) { return static_cast<std::int64_t>(v); }
constexpr std::int64_t kLow32 = 0xffffffffLL;

// A logical right shift of int64 lanes: the arithmetic shift, with the copied sign bits masked.
at::Tensor shiftRight(const at::Tensor& z, int s)
{
    return at::bitwise_right_shift(z, s).bitwise_and_(asSigned((~0ULL) >> s));
}

at::Tensor highProduct(const at::Tensor& r, const at::Tensor& n)
{
    // high64(r * n) = (hi * n + ((lo * n) >> 32)) >> 32 for r = hi * 2^32 + lo; with n < 2^31 every
    // partial product and the sum stay below 2^63, so int64 holds them.
    const at::Tensor hi = shiftRight(r, 32);
    const at::Tensor lo = r.bitwise_and(kLow32);
    return at::bitwise_right_shift(hi.mul(n).add_(at::bitwise_right_shift(lo.mul(n), 32)), 32);
}

at::Tensor longOn(const std::vector<std::int64_t>& v, c10::Device device)
{
    return at::tensor(v, at::kLong).to(device);
}

}  // namespace

namespace draws {

at::Tensor splitMix(std::uint64_t key, const at::Tensor& counters)
{
    TORCH_CHECK(counters.scalar_type() == at::kLong, "draws::splitMix: counters must be int64");
    at::Tensor z = counters.add(1).mul_(asSigned(0x9e3779b97f4a7c15ULL)).add_(asSigned(key));
    z = z.bitwise_xor(shiftRight(z, 30)).mul_(asSigned(0xbf58476d1ce4e5b9ULL));
    z = z.bitwise_xor(shiftRight(z, 27)).mul_(asSigned(0x94d049bb133111ebULL));
    return z.bitwise_xor(shiftRight(z, 31));
}

at::Tensor below(const at::Tensor& r, const at::Tensor& n) { return highProduct(r, n); }

at::Tensor below(const at::Tensor& r, std::int64_t n)
{
    TORCH_CHECK(n >= 1 && n < (std::int64_t{1} << 31), "draws::below: n = ", n, " lies outside [1, 2^31)");
    return highProduct(r, at::scalar_tensor(n, r.options()));
}

}  // namespace draws

ClassIndexTensors::ClassIndexTensors(const ClassIndex& index, c10::Device device)
{
    TORCH_CHECK(index.size() < (std::int64_t{1} << 31),
                "sampler: tensor draws take at most 2^31 - 1 training samples, got ", index.size());
    const auto N = static_cast<std::size_t>(index.size());
    labels = longOn(std::vector<std::int64_t>(index.labels(), index.labels() + N), device);
    order = longOn(std::vector<std::int64_t>(index.order(), index.order() + N), device);
    std::vector<std::int64_t> o(static_cast<std::size_t>(index.numClasses())), c(o.size());
    for (std::int64_t k = 0; k < index.numClasses(); ++k) {
        o[static_cast<std::size_t>(k)] = index.offset(k);
        c[static_cast<std::size_t>(k)] = index.count(k);
    }
    offsets = longOn(o, device);
    counts = longOn(c, device);
}

AliasTensors::AliasTensors(const AliasTable& table, c10::Device device) : m_cols(table.cols())
{
    TORCH_CHECK(m_cols < (std::int64_t{1} << 31), "sampler: an alias table of ", m_cols,
                " columns is too wide for tensor draws");
    const std::int64_t cells = table.rows() * table.cols();
    std::vector<std::int64_t> thresholds(static_cast<std::size_t>(cells)), aliases(thresholds.size());
    for (std::int64_t i = 0; i < cells; ++i) {
        thresholds[static_cast<std::size_t>(i)] = table.threshold(i);
        aliases[static_cast<std::size_t>(i)] = table.alias(i);
    }
    m_thresholds = longOn(thresholds, device);
    m_aliases = longOn(aliases, device);
}

at::Tensor AliasTensors::draw(const at::Tensor& rows, const at::Tensor& r) const
{
    // As AliasTable::draw: the high 32 bits pick a column, the low 32 bits keep it or take its alias.
    const at::Tensor col = at::bitwise_right_shift(shiftRight(r, 32).mul_(m_cols), 32);
    const at::Tensor cell = rows.mul(m_cols).add(col);
    const at::Tensor keep = r.bitwise_and(kLow32).lt(m_thresholds.take(cell));
    return at::where(keep, col, m_aliases.take(cell));
}

}  // namespace scns
