#include "store/transaction.h"

#include "store/database.h"

#include <sqlite3.h>

namespace scns {

Transaction::Transaction(Database& db) : m_db(db)
{
    m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) already rolled the transaction back;
    // then the connection is in autocommit mode again and there is nothing to undo.
    if (!m_done && m_db.isOpen() && !sqlite3_get_autocommit(m_db.handle()))
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

}  // namespace scns
