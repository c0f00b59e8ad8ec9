#pragma once

#include "api/apicontext.h"

#include <QObject>

namespace confab::http {
class Router;
}

namespace confab::api {

// Attachments on the public listener (PROTOCOL.md section 4 and the additions in
// docs/protocol.md, "Attachments"): upload URLs (one presigned PUT, or a multipart upload with
// one URL per part above [limits] attachment_part_bytes), resuming, completing and aborting a
// multipart upload, download URLs; and /v1/blobs, where a local-directory store's signed URLs
// are served, streaming bodies to and from its directory.
class AttachmentApi : public QObject
{
    Q_OBJECT
public:
    // URLs live this long, as S3's presigned ones do here.
    static constexpr qint64 kUrlTtlS = 900;
    // Unfinished multipart uploads one conversation may hold at once.
    static constexpr int kMaxOpenUploadsPerConversation = 16;

    AttachmentApi(ApiDeps deps, QObject *parent = nullptr);
    void registerRoutes(http::Router &router);
    // The largest body PUT /v1/blobs takes: a part, or a single upload below the part size.
    [[nodiscard]] static qint64 maxBlobBytes(const Config &config);

private:
    struct UploadRef;
    // The caller, the key (one of the caller's app, in a conversation it may see) and the
    // decoded upload id of a request naming a multipart upload.
    QCoro::Task<Expected<UploadRef>> findUpload(http::Request req, QString key, QString uploadId);
    [[nodiscard]] Expected<QUrl> publicUrl(const http::Request &req, const QUrl &url) const;

    QCoro::Task<http::Response> createAttachment(http::Request req);
    QCoro::Task<http::Response> attachmentUrl(http::Request req);
    QCoro::Task<http::Response> listParts(http::Request req);
    QCoro::Task<http::Response> completeUpload(http::Request req);
    QCoro::Task<http::Response> abortUpload(http::Request req);
    QCoro::Task<http::Response> putBlob(http::Request req);
    QCoro::Task<http::Response> getBlob(http::Request req);

    ApiDeps m_deps;
};

} // namespace confab::api
