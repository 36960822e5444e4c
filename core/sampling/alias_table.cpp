#include "sampling/alias_table.h"

#include <algorithm>
#include <cmath>

namespace scns {

AliasTable::AliasTable(const double* weights, std::int64_t rows, std::int64_t cols)
    : m_rows(rows), m_cols(cols), m_cells(static_cast<std::size_t>(rows * cols))
{
    std::vector<double> scaled(static_cast<std::size_t>(cols));
    std::vector<std::int32_t> small, large;
    for (std::int64_t r = 0; r < rows; ++r) {
        const double* w = weights + r * cols;
        double sum = 0;
        for (std::int64_t c = 0; c < cols; ++c)
            sum += w[c];
        small.clear();
        large.clear();
        for (std::int64_t c = 0; c < cols; ++c) {
            scaled[c] = w[c] * static_cast<double>(cols) / sum;
            (scaled[c] < 1.0 ? small : large).push_back(static_cast<std::int32_t>(c));
        }
        Cell* cell = m_cells.data() + r * cols;
        for (std::int64_t c = 0; c < cols; ++c)
            cell[c].alias = static_cast<std::int32_t>(c);  // a full cell falls back to itself
        while (!small.empty() && !large.empty()) {
            const std::int32_t s = small.back(), l = large.back();
            small.pop_back();
            cell[s].threshold = static_cast<std::uint32_t>(std::min(std::llround(scaled[s] * 4294967296.0), 4294967295LL));
            cell[s].alias = l;
            scaled[l] -= 1.0 - scaled[s];
            if (scaled[l] < 1.0) {
                large.pop_back();
                small.push_back(l);
            }
        }
        // Left-overs are 1 up to rounding: always keep (the alias is the cell itself).
        for (std::int32_t c : small)
            cell[c].threshold = 4294967295U;
        for (std::int32_t c : large)
            cell[c].threshold = 4294967295U;
    }
}

}  // namespace scns
