#include "browser/run_browser.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QShortcut>
#include <QToolButton>
#include <QSplitter>
#include <QTableView>
#include <QTextDocument>
#include <QVBoxLayout>

#include "browser/run_filter_proxy.h"
#include "browser/run_list_model.h"
#include "views/config_diff.h"
#include "common/button_actions.h"
#include "common/qt_text.h"
#include "views/export.h"

namespace scns {

namespace {

QComboBox* filterCombo(const QString& anyText, QWidget* parent)
{
    auto* c = new QComboBox(parent);
    c->addItem(anyText, QString());
    c->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    return c;
}

void refill(QComboBox* combo, QStringList values)
{
    const QString current = combo->currentData().toString();
    values.removeAll(QString());
    values.sort(Qt::CaseInsensitive);
    QSignalBlocker block(combo);
    while (combo->count() > 1)
        combo->removeItem(1);
    for (const QString& v : values)
        combo->addItem(v, v);
    const int i = combo->findData(current);
    combo->setCurrentIndex(i < 0 ? 0 : i);
}

}  // namespace

RunBrowser::RunBrowser(QString dbPath, QWidget* parent)
    : QWidget(parent), m_dbPath(std::move(dbPath)), m_model(new RunListModel(this)), m_proxy(new RunFilterProxy(this))
{
    m_proxy->setSourceModel(m_model);
    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RunListModel::Id, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(22);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setWordWrap(false);
    m_view->setEditTriggers(QAbstractItemView::EditKeyPressed);  // F2 renames / re-tags in place
    const std::pair<int, int> widths[] = {{RunListModel::Id, 60},     {RunListModel::Name, 240},
                                          {RunListModel::Status, 80}, {RunListModel::TestTop1, 95},
                                          {RunListModel::BestTop1, 95}, {RunListModel::Dataset, 100},
                                          {RunListModel::Network, 100}, {RunListModel::Sampler, 75},
                                          {RunListModel::Method, 75}, {RunListModel::Tags, 120},
                                          {RunListModel::Created, 140}};
    for (auto [column, width] : widths)
        m_view->horizontalHeader()->resizeSection(column, width);

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search id, name, tags, notes…"));
    m_search->setClearButtonEnabled(true);
    m_status = filterCombo(tr("any status"), this);
    m_dataset = filterCombo(tr("any data set"), this);
    m_network = filterCombo(tr("any network"), this);
    m_sampler = filterCombo(tr("any sampler"), this);
    m_tag = filterCombo(tr("any tag"), this);
    auto* refresh = new QPushButton(tr("Refresh"), this);
    // Setting columns: the keys that differ between runs first, any other key on request.
    m_columns = new QPushButton(tr("Columns"), this);
    m_columns->setObjectName(QStringLiteral("settingColumns"));
    m_columns->setToolTip(tr("Show settings (any configuration key: K, lr, tau, sampler, ...) as columns"));
    auto* columnsMenu = new QMenu(m_columns);
    m_columns->setMenu(columnsMenu);
    connect(columnsMenu, &QMenu::aboutToShow, this, [this, columnsMenu] {
        columnsMenu->clear();
        const QStringList shown = settingColumns();
        const QStringList differing = differingSettingKeys();
        columnsMenu->addSection(differing.isEmpty() ? tr("No setting differs between the runs")
                                                    : tr("Settings that differ between runs"));
        QStringList offered = differing;
        for (const QString& key : shown)
            if (!offered.contains(key))
                offered << key;
        for (const QString& key : std::as_const(offered)) {
            QAction* a = columnsMenu->addAction(key);
            a->setCheckable(true);
            a->setChecked(shown.contains(key));
            connect(a, &QAction::toggled, this, [this, key](bool on) {
                QStringList keys = settingColumns();
                keys.removeAll(key);
                if (on)
                    keys << key;
                setSettingColumns(keys);
            });
        }
        columnsMenu->addSeparator();
        connect(columnsMenu->addAction(tr("Another setting…")), &QAction::triggered, this, [this] {
            bool ok = false;
            const QString key = QInputDialog::getItem(this, tr("Setting column"), tr("Configuration key:"),
                                                      m_model->settingKeys(), 0, true, &ok);
            if (ok && !key.trimmed().isEmpty() && !settingColumns().contains(key.trimmed()))
                setSettingColumns(settingColumns() << key.trimmed());
        });
        QAction* clear = columnsMenu->addAction(tr("No setting columns"));
        clear->setEnabled(!shown.isEmpty());
        connect(clear, &QAction::triggered, this, [this] { setSettingColumns({}); });
    });
    // Exports what the table shows (filtered and sorted).
    auto* csv = makeCsvExportButton(this, m_proxy, QStringLiteral("runs"));
    csv->setToolTip(tr("Save the listed runs as CSV"));
    m_count = new QLabel(this);

    auto* filters = new QHBoxLayout;
    filters->addWidget(m_search, 2);
    for (QComboBox* c : {m_status, m_dataset, m_network, m_sampler, m_tag})
        filters->addWidget(c);
    filters->addWidget(m_columns);
    filters->addWidget(refresh);
    filters->addWidget(csv);
    filters->addWidget(m_count);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_view);
    splitter->addWidget(buildDetails());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    // Shown when the store cannot be written (a read-only file, folder or mount).
    m_readOnlyBanner = new QLabel(this);
    m_readOnlyBanner->setObjectName(QStringLiteral("readOnlyBanner"));
    m_readOnlyBanner->setWordWrap(true);
    m_readOnlyBanner->setStyleSheet(QStringLiteral("QLabel { background: #fff3cd; color: #5c4400; padding: 6px; "
                                                   "border: 1px solid #e0c36c; }"));
    m_readOnlyBanner->setText(tr("This run store is read-only (the file or its folder cannot be written): runs can be "
                                 "viewed, compared and exported, but not renamed, tagged, deleted, resumed or added."));
    m_readOnlyBanner->hide();

    // Shown while the store holds no run: what to do first.
    m_emptyHint = new QLabel(this);
    m_emptyHint->setObjectName(QStringLiteral("emptyHint"));
    m_emptyHint->setWordWrap(true);
    m_emptyHint->setStyleSheet(QStringLiteral("QLabel { background: #e8f0fb; color: #1a2f52; padding: 8px; "
                                              "border: 1px solid #9fb0c8; }"));
    m_emptyHint->setText(tr("<b>No runs in this store yet.</b> Open <b>New run</b> (Alt+2): Fashion-MNIST, which "
                            "needs no download, and the small CNN are preselected; press <b>Launch</b> and follow "
                            "it on <b>Queue</b> and <b>Curves</b>. Runs you train with the <tt>scns</tt> command "
                            "on this store appear here too."));
    m_emptyHint->hide();

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_readOnlyBanner);
    layout->addWidget(m_emptyHint);
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);

    connect(m_search, &QLineEdit::textChanged, m_proxy, &RunFilterProxy::setSearchText);
    connect(m_model, &RunListModel::editRequested, this, [this](qint64 id, int column, const QString& text) {
        if (column == RunListModel::Name)
            renameRun(id, text);
        else
            setTags(id, text);
    });
    // The slot holds the proxy, not the browser: the proxy is its context and its target.
    const auto bindFilter = [this](QComboBox* combo, void (RunFilterProxy::*setter)(const QString&)) {
        RunFilterProxy* proxy = m_proxy;
        connect(combo, &QComboBox::currentIndexChanged, proxy,
                [proxy, combo, setter] { (proxy->*setter)(combo->currentData().toString()); });
    };
    bindFilter(m_status, &RunFilterProxy::setStatusFilter);
    bindFilter(m_dataset, &RunFilterProxy::setDatasetFilter);
    bindFilter(m_network, &RunFilterProxy::setNetworkFilter);
    bindFilter(m_sampler, &RunFilterProxy::setSamplerFilter);
    bindFilter(m_tag, &RunFilterProxy::setTagFilter);
    const auto updateCount = [this] {
        m_count->setText(tr("%L1 of %L2 runs").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
    };
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, updateCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, updateCount);
    connect(refresh, &QPushButton::clicked, this, &RunBrowser::reload);
    connect(&m_loadWatcher, &QFutureWatcher<LoadedRuns>::finished, this, &RunBrowser::onLoaded);
    connect(&m_top1Watcher, &QFutureWatcher<RunAccuracies>::finished, this, [this] {
        const RunAccuracies accuracies = m_top1Watcher.result();
        m_model->setFinalTop1(accuracies.final);
        m_model->setBestTop1(accuracies.best);
        Q_EMIT finalAccuraciesLoaded();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunBrowser::showSelected);
    connect(m_view, &QTableView::doubleClicked, this, [this] { Q_EMIT openRequested(selectedRunIds()); });
    auto* del = new QShortcut(QKeySequence::Delete, m_view, nullptr, nullptr, Qt::WidgetShortcut);
    connect(del, &QShortcut::activated, this, [this] { deleteRuns(selectedRunIds()); });
    m_confirm = [this](const QString& question) {
        return QMessageBox::question(this, tr("Delete runs"), question, QMessageBox::Yes | QMessageBox::Cancel,
                                     QMessageBox::Cancel)
               == QMessageBox::Yes;
    };
    showSelected();
}

QWidget* RunBrowser::buildDetails()
{
    auto* box = new QGroupBox(tr("Selected run"), this);
    m_info = new QLabel(box);
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_nameEdit = new QLineEdit(box);
    m_tagsEdit = new QLineEdit(box);
    m_tagsEdit->setPlaceholderText(tr("comma-separated, e.g. baseline, fmnist"));
    m_notesEdit = new QPlainTextEdit(box);
    m_notesEdit->setPlaceholderText(tr("Notes about this run"));
    m_saveDetails = new QPushButton(tr("Save name, tags and notes"), box);
    m_open = new QPushButton(tr("Open in views"), box);
    m_open->setToolTip(tr("Curves, heat map, negatives, sampler statistics and confusion matrix of the selection"));
    m_compare = new QPushButton(tr("Compare"), box);
    m_compare->setToolTip(tr("Curves overlaid, accuracy table, configuration diff and seed groups"));
    m_duplicate = new QPushButton(tr("Duplicate…"), box);
    m_duplicate->setToolTip(tr("Start the run editor from this run's configuration"));
    m_resume = new QPushButton(tr("Resume"), box);
    m_resume->setToolTip(tr("Continue a cancelled, failed or interrupted run from its newest checkpoint "
                            "(or start a queued one)"));
    m_teacher = new QPushButton(tr("Use as teacher"), box);
    m_delete = new QPushButton(tr("Delete…"), box);

    auto* form = new QFormLayout;
    form->addRow(tr("Name"), m_nameEdit);
    form->addRow(tr("Tags"), m_tagsEdit);
    form->addRow(tr("Notes"), m_notesEdit);
    auto* actions = new QGridLayout;
    actions->addWidget(m_open, 0, 0);
    actions->addWidget(m_compare, 0, 1);
    actions->addWidget(m_duplicate, 1, 0);
    actions->addWidget(m_resume, 1, 1);
    actions->addWidget(m_teacher, 2, 0);
    actions->addWidget(m_delete, 2, 1);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(m_info);
    layout->addLayout(form, 1);
    layout->addWidget(m_saveDetails);
    layout->addLayout(actions);

    connect(m_saveDetails, &QPushButton::clicked, this, [this] {
        const auto ids = selectedRunIds();
        if (ids.size() != 1)
            return;
        const RunSummary* r = m_model->run(ids.front());
        if (!r || m_readOnly)
            return;
        // One update with all three: separate ones finished in any order, and each refreshed
        // the editors from a row that did not have the others' values yet.
        const QString name = m_nameEdit->text().trimmed();
        const QString tags = m_tagsEdit->text();
        const QString notes = m_notesEdit->toPlainText();
        if (name != r->name || joinTags(splitTags(tags)) != joinTags(r->tags) || notes != r->notes)
            saveDetails(r->id, name, tags, notes);
    });
    connect(m_open, &QPushButton::clicked, this, [this] { Q_EMIT openRequested(selectedRunIds()); });
    connect(m_compare, &QPushButton::clicked, this, [this] { Q_EMIT compareRequested(selectedRunIds()); });
    connect(m_duplicate, &QPushButton::clicked, this, [this] {
        const auto ids = selectedRunIds();
        if (const RunSummary* r = ids.size() == 1 ? m_model->run(ids.front()) : nullptr)
            Q_EMIT duplicateRequested(r->id, QString::fromStdString(r->configJson));
    });
    connect(m_resume, &QPushButton::clicked, this, [this] {
        for (qint64 id : selectedRunIds())
            if (const RunSummary* r = m_model->run(id))
                Q_EMIT resumeRequested(id, r->name);
    });
    connect(m_teacher, &QPushButton::clicked, this, [this] {
        const auto ids = selectedRunIds();
        if (ids.size() == 1)
            Q_EMIT teacherRequested(ids.front());
    });
    connect(m_delete, &QPushButton::clicked, this, [this] { deleteRuns(selectedRunIds()); });
    mirrorButtonsAsContextMenu(m_view, {m_open, m_compare, nullptr, m_duplicate, m_resume, m_teacher, nullptr, m_delete});
    return box;
}

void RunBrowser::reload()
{
    if (m_loadWatcher.isRunning())
        return;
    m_count->setText(tr("loading…"));
    m_loadWatcher.setFuture(loadRunsAsync(m_dbPath));
}

bool RunBrowser::isLoading() const { return m_loadWatcher.isRunning(); }

void RunBrowser::onLoaded()
{
    LoadedRuns result = m_loadWatcher.result();
    if (!result.error.isEmpty()) {
        m_count->setText(tr("cannot read the store"));
        m_count->setToolTip(result.error);
        Q_EMIT loadFailed(result.error);
        return;
    }
    if (result.readOnly != m_readOnly) {
        m_readOnly = result.readOnly;
        m_readOnlyBanner->setVisible(m_readOnly);
        m_view->setEditTriggers(m_readOnly ? QAbstractItemView::NoEditTriggers : QAbstractItemView::EditKeyPressed);
        Q_EMIT readOnlyChanged(m_readOnly);
    }
    const QList<qint64> selected = selectedRunIds();
    std::vector<qint64> ids;
    ids.reserve(result.runs.size());
    for (const auto& r : result.runs)
        ids.push_back(r.id);
    const int n = static_cast<int>(result.runs.size());
    {
        // The model reset drops the selection for a moment; the editors keep what the user
        // typed until the same run is selected again below.
        m_reloading = true;
        m_model->setRuns(std::move(result.runs));
        refillFilters();
        if (selected.size() == 1)
            selectRun(selected.front());
        m_reloading = false;
    }
    showSelected();
    m_emptyHint->setVisible(n == 0);
    m_top1Watcher.setFuture(loadAccuraciesAsync(m_dbPath, std::move(ids)));
    Q_EMIT loaded(n, result.seconds);
}

void RunBrowser::refillFilters()
{
    QSet<QString> status, dataset, network, sampler, tag;
    for (const auto& r : m_model->runs()) {
        status.insert(r.statusText);
        dataset.insert(r.dataset);
        network.insert(r.network);
        sampler.insert(r.sampler);
        for (const QString& t : r.tags)
            tag.insert(t);
    }
    refill(m_status, status.values());
    refill(m_dataset, dataset.values());
    refill(m_network, network.values());
    refill(m_sampler, sampler.values());
    refill(m_tag, tag.values());
}

QList<qint64> RunBrowser::selectedRunIds() const
{
    QList<qint64> ids;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows())
        ids << index.data(RunListModel::RunIdRole).toLongLong();
    return ids;
}

void RunBrowser::selectRun(qint64 runId) { selectRuns({runId}); }

void RunBrowser::selectRuns(const QList<qint64>& runIds)
{
    QItemSelection selection;
    QModelIndex first;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex index = m_proxy->index(row, 0);
        if (runIds.contains(index.data(RunListModel::RunIdRole).toLongLong())) {
            selection.select(index, index);
            if (!first.isValid())
                first = index;
        }
    }
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (first.isValid())
        m_view->scrollTo(first);
}

void RunBrowser::showSelected()
{
    if (m_reloading)
        return;
    const auto ids = selectedRunIds();
    const RunSummary* r = ids.size() == 1 ? m_model->run(ids.front()) : nullptr;
    const bool editable = r && !m_readOnly;
    m_nameEdit->setEnabled(r);
    m_tagsEdit->setEnabled(r);
    m_notesEdit->setEnabled(r);
    for (QLineEdit* e : {m_nameEdit, m_tagsEdit})
        e->setReadOnly(m_readOnly);
    m_notesEdit->setReadOnly(m_readOnly);
    m_saveDetails->setEnabled(editable);
    m_duplicate->setEnabled(r);
    m_teacher->setEnabled(r && r->status == RunStatus::Finished);
    m_open->setEnabled(!ids.isEmpty());
    m_compare->setEnabled(ids.size() >= 2);
    m_delete->setEnabled(!ids.isEmpty() && !m_readOnly);
    bool resumable = false;
    for (qint64 id : ids)
        if (const RunSummary* s = m_model->run(id))
            resumable |= (isFinal(s->status) && s->status != RunStatus::Finished) || s->status == RunStatus::Queued;
    m_resume->setEnabled(resumable && !m_readOnly);
    if (!r) {
        m_info->setText(ids.isEmpty() ? tr("No run selected.") : tr("%1 selected.").arg(countText(ids.size(), "run", "runs")));
        m_nameEdit->clear();
        m_tagsEdit->clear();
        m_notesEdit->clear();
        m_shownRunId = 0;
        return;
    }
    QString info = tr("<b>Run %1</b> — %2<br>%3 · %4 · sampler %5 · %6 · %7 epochs · seed %8<br>created %9 UTC")
                       .arg(r->id)
                       .arg(r->statusText.toHtmlEscaped(), r->dataset.toHtmlEscaped(), r->network.toHtmlEscaped(),
                            r->sampler.toHtmlEscaped(), r->method.toHtmlEscaped())
                       .arg(r->epochs)
                       .arg(r->seed)
                       .arg(QString(r->createdAt).replace(QLatin1Char('T'), QLatin1Char(' ')).remove(QLatin1Char('Z')));
    if (r->parentRunId > 0)
        info += tr("<br>started from run %1").arg(r->parentRunId);
    if (!std::isnan(r->finalTestTop1))
        info += tr("<br>final test top-1: %1%").arg(r->finalTestTop1, 0, 'f', 2);
    if (!r->message.isEmpty() && r->status != RunStatus::Finished)
        info += QStringLiteral("<br><span style='color:#b02020'>%1</span>").arg(r->message.toHtmlEscaped());
    m_info->setText(info);
    fillEditors(*r);
}

void RunBrowser::fillEditors(const RunSummary& r)
{
    const bool same = r.id == m_shownRunId;
    if (!same || !m_nameEdit->isModified())
        m_nameEdit->setText(r.name);  // clears isModified()
    if (!same || !m_tagsEdit->isModified())
        m_tagsEdit->setText(joinTags(r.tags));
    if (!same || !m_notesEdit->document()->isModified()) {
        m_notesEdit->setPlainText(r.notes);
        m_notesEdit->document()->setModified(false);
    }
    m_shownRunId = r.id;
}

void RunBrowser::watchEdit(QFuture<QString> future, std::function<void()> onSuccess)
{
    auto* watcher = new QFutureWatcher<QString>(this);
    ++m_pendingEdits;
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, onSuccess] {
        watcher->deleteLater();
        --m_pendingEdits;
        const QString error = watcher->result();
        if (!error.isEmpty()) {
            Q_EMIT editFailed(error);
            return;
        }
        onSuccess();
        Q_EMIT editDone();
    });
    watcher->setFuture(future);
}

void RunBrowser::saveDetails(qint64 runId, const QString& name, const QString& tags, const QString& notes)
{
    const QStringList list = splitTags(tags);
    watchEdit(saveDetailsAsync(m_dbPath, runId, name, joinTags(list), notes), [this, runId, name, list, notes] {
        const RunSummary* r = m_model->run(runId);
        if (!r)
            return;
        RunSummary copy = *r;
        copy.name = name;
        copy.tags = list;
        copy.notes = notes;
        m_model->updateRun(copy);
        refillFilters();
        if (m_shownRunId == runId) {
            // Saved: editors still showing what was saved are clean again; text typed since
            // stays (and stays modified).
            if (m_nameEdit->text().trimmed() == name)
                m_nameEdit->setModified(false);
            if (joinTags(splitTags(m_tagsEdit->text())) == joinTags(list))
                m_tagsEdit->setModified(false);
            if (m_notesEdit->toPlainText() == notes)
                m_notesEdit->document()->setModified(false);
        }
        showSelected();
    });
}

void RunBrowser::renameRun(qint64 runId, const QString& name)
{
    watchEdit(renameRunAsync(m_dbPath, runId, name), [this, runId, name] {
        if (const RunSummary* r = m_model->run(runId)) {
            RunSummary copy = *r;
            copy.name = name;
            m_model->updateRun(copy);
            showSelected();
        }
    });
}

void RunBrowser::setTags(qint64 runId, const QString& tags)
{
    const QStringList list = splitTags(tags);
    watchEdit(setTagsAsync(m_dbPath, runId, joinTags(list)), [this, runId, list] {
        if (const RunSummary* r = m_model->run(runId)) {
            RunSummary copy = *r;
            copy.tags = list;
            m_model->updateRun(copy);
            refillFilters();
            showSelected();
        }
    });
}

void RunBrowser::setNotes(qint64 runId, const QString& notes)
{
    watchEdit(setNotesAsync(m_dbPath, runId, notes), [this, runId, notes] {
        if (const RunSummary* r = m_model->run(runId)) {
            RunSummary copy = *r;
            copy.notes = notes;
            m_model->updateRun(copy);
            showSelected();
        }
    });
}

bool RunBrowser::deleteRuns(const QList<qint64>& runIds)
{
    if (runIds.isEmpty() || m_readOnly)
        return false;
    QStringList names;
    for (qint64 id : runIds)
        if (const RunSummary* r = m_model->run(id); r && names.size() < 5)
            names << QStringLiteral("%1 (%2)").arg(r->name).arg(id);
    if (runIds.size() > names.size())
        names << tr("and %n more", nullptr, int(runIds.size() - names.size()));
    const QString question = tr("Delete %1 with their metrics and checkpoint records? This cannot be undone.\n\n%2")
                                 .arg(countText(runIds.size(), "run", "runs"), names.join(QStringLiteral("\n")));
    if (!m_confirm(question))
        return false;
    watchEdit(deleteRunsAsync(m_dbPath, std::vector<qint64>(runIds.begin(), runIds.end())), [this, runIds] {
        m_model->removeRuns(runIds);
        refillFilters();
    });
    return true;
}

void RunBrowser::setSettingColumns(const QStringList& keys)
{
    const int sortColumn = m_view->horizontalHeader()->sortIndicatorSection();
    const Qt::SortOrder order = m_view->horizontalHeader()->sortIndicatorOrder();
    m_model->setSettingColumns(keys);
    // Shown right after the accuracies (the model appends them): a run's settings and its
    // result side by side, without scrolling past the data set, tags and dates.
    QHeaderView* header = m_view->horizontalHeader();
    for (int c = RunListModel::ColumnCount; c < m_model->columnCount(); ++c) {
        header->resizeSection(c, 110);
        header->moveSection(header->visualIndex(c), header->visualIndex(RunListModel::BestTop1) + 1 + (c - RunListModel::ColumnCount));
    }
    if (sortColumn >= 0 && sortColumn < m_model->columnCount())
        m_view->sortByColumn(sortColumn, order);
}

QStringList RunBrowser::settingColumns() const { return m_model->settingColumns(); }

QStringList RunBrowser::differingSettingKeys() const
{
    std::vector<std::map<std::string, std::string>> configs;
    for (const RunSummary& r : m_model->runs())
        configs.push_back(r.settings);
    QStringList out;
    for (const ConfigDiffRow& row : diffConfigs(configs))
        if (!isSeedKey(row.key) || row.key == "seed")
            out << QString::fromStdString(row.key);
    return out;
}

}  // namespace scns
