#pragma once
// A prepared SQLite statement. Values only ever enter SQL through bind(); SQL text is never
// assembled from values. Parameter and column indexes follow SQLite: parameters count from
// 1, columns from 0. Used from the thread of its Database (see database.h); the Database must
// outlive it and stay where it is (not be moved from) meanwhile.
#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3_stmt;

namespace scns {

class Database;

class Statement {
public:
    // Prepares one statement; throws StoreError naming the file and the SQL on a syntax error.
    Statement(Database& db, std::string_view sql);
    ~Statement();

    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    // NaN is stored by SQLite as NULL; columnDouble() reads NULL back as NaN.
    Statement& bind(int index, double value);
    // Copied by SQLite, so the argument may die before step(). Embedded NULs are kept.
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bindNull(int index);

    // Advances: true when a row is available for the column getters, false when done.
    // Throws StoreError on failure (constraint violation, busy past the timeout, ...).
    bool step();
    // Steps a statement that returns no rows to completion.
    void run();
    // Makes the statement ready to run again and clears its bindings.
    void reset();

    int columnCount() const;
    bool isNull(int column) const;
    std::int64_t columnInt64(int column) const;
    // NULL reads as NaN (see bind(double)).
    double columnDouble(int column) const;
    // NULL reads as an empty string.
    std::string columnText(int column) const;

private:
    void check(int rc, std::string_view what) const;

    sqlite3_stmt* m_stmt = nullptr;
    Database* m_db = nullptr;
};

}  // namespace scns
