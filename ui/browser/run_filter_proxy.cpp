#include "browser/run_filter_proxy.h"

#include "browser/run_list_model.h"

namespace scns {

RunFilterProxy::RunFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(RunListModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void RunFilterProxy::changed()
{
    // Qt 6.4 has no begin/endFilterChange; invalidateFilter keeps sorting and selection.
    invalidateFilter();
}

void RunFilterProxy::setSearchText(const QString& text)
{
    m_search = text.trimmed();
    changed();
}
void RunFilterProxy::setStatusFilter(const QString& v)
{
    m_status = v;
    changed();
}
void RunFilterProxy::setDatasetFilter(const QString& v)
{
    m_dataset = v;
    changed();
}
void RunFilterProxy::setNetworkFilter(const QString& v)
{
    m_network = v;
    changed();
}
void RunFilterProxy::setSamplerFilter(const QString& v)
{
    m_sampler = v;
    changed();
}
void RunFilterProxy::setTagFilter(const QString& v)
{
    m_tag = v;
    changed();
}

bool RunFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const auto* model = static_cast<const RunListModel*>(sourceModel());
    if (sourceParent.isValid() || !model)
        return false;
    const RunSummary& r = model->runAt(sourceRow);
    if (!m_status.isEmpty() && r.statusText != m_status)
        return false;
    if (!m_dataset.isEmpty() && r.dataset != m_dataset)
        return false;
    if (!m_network.isEmpty() && r.network != m_network)
        return false;
    if (!m_sampler.isEmpty() && r.sampler != m_sampler)
        return false;
    if (!m_tag.isEmpty() && !r.tags.contains(m_tag))
        return false;
    if (m_search.isEmpty())
        return true;
    if (QString::number(r.id) == m_search)
        return true;
    for (const QString* field : {&r.name, &r.notes, &r.message})
        if (field->contains(m_search, Qt::CaseInsensitive))
            return true;
    for (const QString& t : r.tags)
        if (t.contains(m_search, Qt::CaseInsensitive))
            return true;
    return false;
}

}  // namespace scns
