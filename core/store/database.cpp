#include "store/database.h"

#include "common/errors.h"

#include <sqlite3.h>

#include <system_error>
#include <utility>

namespace scns {

namespace {

constexpr int kBusyTimeoutMs = 5000;

}  // namespace

Database::Database(const std::filesystem::path& path)
{
    open(path);
}

Database::~Database()
{
    close();
}

Database::Database(Database&& other) noexcept
    : m_handle(std::exchange(other.m_handle, nullptr)), m_path(std::move(other.m_path))
{
}

Database& Database::operator=(Database&& other) noexcept
{
    if (this != &other) {
        close();
        m_handle = std::exchange(other.m_handle, nullptr);
        m_path = std::move(other.m_path);
    }
    return *this;
}

void Database::open(const std::filesystem::path& path)
{
    close();
    m_path = path;
    const std::string file = path.string();

    if (const auto parent = path.parent_path(); !parent.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec)
            throw StoreError(file + ": cannot create folder " + parent.string() + ": " + ec.message());
    }

    sqlite3* handle = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &handle,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
        sqlite3_close_v2(handle);
        throw StoreError(file + ": cannot open database: " + message);
    }
    m_handle = handle;
    sqlite3_extended_result_codes(m_handle, 1);
    sqlite3_busy_timeout(m_handle, kBusyTimeoutMs);

    // Switching to WAL is the first statement that reads the file header, so a file that is
    // not a database fails here, before anything has been written to it.
    try {
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL");
    } catch (const StoreError&) {
        std::string message = sqlite3_errmsg(m_handle);
        close();
        throw StoreError(file + ": cannot open as an SQLite database: " + message);
    }
}

void Database::close() noexcept
{
    if (m_handle) {
        // close_v2 defers the close if a Statement still lives; it is finalized later.
        sqlite3_close_v2(m_handle);
        m_handle = nullptr;
    }
}

void Database::exec(std::string_view sql)
{
    if (!m_handle)
        throw StoreError(m_path.string() + ": database is not open");
    const std::string script(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(m_handle, script.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw StoreError(m_path.string() + ": " + message + " (in: " + script.substr(0, 80) + ")");
    }
}

int Database::userVersion()
{
    if (!m_handle)
        throw StoreError(m_path.string() + ": database is not open");
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(m_handle, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK)
        throwError("cannot read the schema version");
    const int rc = sqlite3_step(stmt);
    const int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        throwError("cannot read the schema version");
    return version;
}

void Database::setUserVersion(int version)
{
    // PRAGMA takes no bound parameters; the value is an int formatted here, never text
    // from outside, so this is the one place a statement is assembled.
    exec("PRAGMA user_version = " + std::to_string(version));
}

std::int64_t Database::lastInsertRowId() const
{
    return m_handle ? sqlite3_last_insert_rowid(m_handle) : 0;
}

int Database::changes() const
{
    return m_handle ? sqlite3_changes(m_handle) : 0;
}

void Database::throwError(std::string_view context) const
{
    const std::string message = m_handle ? sqlite3_errmsg(m_handle) : "database is not open";
    throw StoreError(m_path.string() + ": " + std::string(context) + ": " + message);
}

}  // namespace scns
