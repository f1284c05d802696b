//! One helper for every paginated describe call: all items of all pages, or a [`CallError`]
//! naming the call and its scope.
//!
//! A macro, because each operation has its own fluent builder and paginator types with no
//! common trait; what it expands to is the same four steps everywhere.
//!
//! [`CallError`]: crate::CallError

/// `paginate!(service => request, call, scope)`: the same for another service's paginated
/// list call (Route 53 Resolver, Route 53 Profiles, Route 53's `ListHostedZones`), whose
/// paginators have the same shape.
///
/// `paginate!(request, call, scope)` or `paginate!(request, page_size, call, scope)`: every
/// item of the EC2 `request` (a fluent builder), as a `Result<Vec<_>, CallError>`.
///
/// Without a page size the service's default is used: EC2 refuses `MaxResults` together with
/// an id list on some calls (`DescribeSecurityGroups` with `GroupIds`).
macro_rules! paginate {
    ($service:expr => $request:expr, $call:expr, $scope:expr) => {
        $request
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| $crate::CallError::from_sdk($service, $call, $scope, e))
    };
    ($request:expr, $call:expr, $scope:expr) => {
        $request
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| $crate::CallError::from_sdk($crate::Service::Ec2, $call, $scope, e))
    };
    ($request:expr, $page_size:expr, $call:expr, $scope:expr) => {
        $request
            .into_paginator()
            .page_size($page_size)
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| $crate::CallError::from_sdk($crate::Service::Ec2, $call, $scope, e))
    };
}

/// Hands every page of an EC2 paginated call to `take` as it arrives (the caller converts it
/// and drops it: [`crate::snapshot::Pages`]), or fails with a [`CallError`](crate::CallError)
/// naming the call and its scope.
pub(crate) async fn each_page<O, E, R>(
    mut pages: aws_smithy_async::future::pagination_stream::PaginationStream<
        Result<O, aws_sdk_ec2::error::SdkError<E, R>>,
    >,
    call: &'static str,
    scope: &str,
    mut take: impl FnMut(O),
) -> Result<(), crate::CallError>
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| crate::CallError::from_sdk(crate::Service::Ec2, call, scope, e))?;
        take(page);
    }
    Ok(())
}
