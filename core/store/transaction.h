#pragma once
// A write transaction on one Database: BEGIN IMMEDIATE on construction (taking the write
// lock up front, waiting up to the busy timeout, so it cannot fail half-way for lock
// reasons), COMMIT on commit(), ROLLBACK in the destructor if commit() was not reached, e.g.
// because an exception is unwinding. Transactions do not nest.
namespace scns {

class Database;

class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();

    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // Throws StoreError if the commit fails; the destructor then rolls back.
    void commit();

private:
    Database& m_db;
    bool m_done = false;
};

}  // namespace scns
