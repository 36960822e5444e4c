#pragma once
// Search and filters over the run list: free text (id, name, tags, notes, message) and exact
// status / data set / network / sampler / tag filters (empty = any). Sorts by raw values.
#include <QSortFilterProxyModel>

namespace scns {

class RunFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RunFilterProxy(QObject* parent = nullptr);

    void setSearchText(const QString& text);
    void setStatusFilter(const QString& status);
    void setDatasetFilter(const QString& dataset);
    void setNetworkFilter(const QString& network);
    void setSamplerFilter(const QString& sampler);
    void setTagFilter(const QString& tag);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    void changed();

    QString m_search, m_status, m_dataset, m_network, m_sampler, m_tag;
};

}  // namespace scns
