#pragma once
// Walker/Vose alias tables for many small categorical distributions at once (one per row), so
// that a draw costs one 64-bit random number whatever the number of categories.
#include <cstdint>
#include <vector>

namespace scns {

class AliasTable {
public:
    AliasTable() = default;
    // weights: rows x cols, row-major, non-negative, each row with a positive finite sum (rows
    // are normalised here; the caller validates).
    AliasTable(const double* weights, std::int64_t rows, std::int64_t cols);

    std::int64_t rows() const { return m_rows; }
    std::int64_t cols() const { return m_cols; }

    // A column of `row`, drawn from its distribution with the random bits r: the high 32 bits
    // pick a column, the low 32 bits decide between it and its alias.
    std::int64_t draw(std::int64_t row, std::uint64_t r) const
    {
        const std::uint64_t col = ((r >> 32) * static_cast<std::uint64_t>(m_cols)) >> 32;
        const Cell cell = m_cells[static_cast<std::size_t>(row * m_cols) + col];
        // Chosen with a mask, not a branch: the coin is unpredictable and a branch (which is what
        // compilers make of a ternary here) mispredicts often.
        const std::int64_t keep = -static_cast<std::int64_t>(static_cast<std::uint32_t>(r) < cell.threshold);
        return (static_cast<std::int64_t>(col) & keep) | (static_cast<std::int64_t>(cell.alias) & ~keep);
    }

    // Cell `i` (row * cols + col): keep its column when the low 32 bits are below threshold(i),
    // else take alias(i). What AliasTensors copies to a device.
    std::uint32_t threshold(std::int64_t i) const { return m_cells[static_cast<std::size_t>(i)].threshold; }
    std::int32_t alias(std::int64_t i) const { return m_cells[static_cast<std::size_t>(i)].alias; }

private:
    std::int64_t m_rows = 0;
    std::int64_t m_cols = 0;
    struct Cell {
        std::uint32_t threshold;  // keep the column when the low 32 bits are below it
        std::int32_t alias;       // otherwise take this column
    };
    std::vector<Cell> m_cells;
};

}  // namespace scns
