#include "store/statement.h"

#include "common/errors.h"
#include "store/database.h"

#include <sqlite3.h>

#include <limits>
#include <utility>

namespace scns {

Statement::Statement(Database& db, std::string_view sql) : m_db(&db)
{
    if (!db.isOpen())
        throw StoreError(db.path().string() + ": database is not open");
    if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &m_stmt,
                           nullptr) != SQLITE_OK) {
        m_stmt = nullptr;
        // No SQL text in messages users see; a failed prepare is a schema mismatch or a bug.
        db.throwError("cannot read the run store's tables");
    }
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Statement::Statement(Statement&& other) noexcept
    : m_stmt(std::exchange(other.m_stmt, nullptr)), m_db(other.m_db)
{
}

Statement& Statement::operator=(Statement&& other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_db = other.m_db;
    }
    return *this;
}

void Statement::check(int rc, std::string_view what) const
{
    if (rc == SQLITE_OK)
        return;
    m_db->throwError(what);
}

Statement& Statement::bind(int index, std::int64_t value)
{
    check(sqlite3_bind_int64(m_stmt, index, value), "cannot bind parameter " + std::to_string(index));
    return *this;
}

Statement& Statement::bind(int index, double value)
{
    check(sqlite3_bind_double(m_stmt, index, value), "cannot bind parameter " + std::to_string(index));
    return *this;
}

Statement& Statement::bind(int index, std::string_view value)
{
    check(sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
          "cannot bind parameter " + std::to_string(index));
    return *this;
}

Statement& Statement::bindNull(int index)
{
    check(sqlite3_bind_null(m_stmt, index), "cannot bind parameter " + std::to_string(index));
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    // Take the message first: reset() leaves the statement reusable after a failed step.
    // The message says whether reading or writing failed and why, never the statement.
    const std::string message = describeSqliteError(rc, sqlite3_errmsg(m_db->handle()));
    const bool reading = sqlite3_stmt_readonly(m_stmt) != 0;
    sqlite3_reset(m_stmt);
    throw StoreError(m_db->path().string() + ": " + (reading ? "cannot read the run store: " : "cannot write to the run store: ") +
                     message);
}

void Statement::run()
{
    while (step()) {
    }
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

int Statement::columnCount() const
{
    return sqlite3_column_count(m_stmt);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::columnInt64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::columnDouble(int column) const
{
    if (isNull(column))
        return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(m_stmt, column);
}

std::string Statement::columnText(int column) const
{
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    const int size = sqlite3_column_bytes(m_stmt, column);
    return text ? std::string(text, static_cast<std::size_t>(size)) : std::string();
}

}  // namespace scns
