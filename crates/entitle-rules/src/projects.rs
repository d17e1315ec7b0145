//! Projects: creation, sharing and license assignment. An owner shares a production project by
//! e-mail; it appears for the recipient at once; recipients assign their own licenses, which
//! the owner sees; unsharing removes the project and every license the recipient assigned.

use crate::action::Action;
use crate::context::{Context, Fresh, Outcome, actor_account, email, not_found, permit};
use crate::decision::{ProjectRole, project_role};
use crate::error::{CommandError, ErrorCode};
use crate::event::EventPayload;
use crate::ids::{AccountId, LicenseKey, ProjectId};
use crate::model::{Assignment, GrantStatus, License, Project, ProjectKind, Share};
use crate::state::{Change, State};
use crate::sweep;
use crate::window;

/// The longest project name, in characters.
pub const MAX_PROJECT_NAME: usize = 100;

pub(crate) fn create_project(
    state: &State,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
    name: &str,
    kind: Option<ProjectKind>,
) -> Result<(), CommandError> {
    actor_account(state, ctx)?;
    let name = crate::context::name(name, MAX_PROJECT_NAME, "a project name")?;
    let project = Project {
        id: fresh.id("prj")?,
        owner_id: ctx.actor.clone(),
        name: name.clone(),
        kind: kind.unwrap_or_default(),
        server_active: false,
        active_panels: 0,
        created_at: ctx.now,
    };
    out.event(ctx.event(EventPayload::ProjectCreated {
        project_id: project.id.clone(),
        name,
        kind: project.kind,
    }));
    out.change(Change::PutProject(project));
    Ok(())
}

pub(crate) fn share(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    project_id: &ProjectId,
    address: &str,
    window: (Option<&str>, Option<&str>),
) -> Result<(), CommandError> {
    let actor = actor_account(state, ctx)?;
    permit(state, ctx, Action::ProjectShare, project_id.as_str())?;
    let address = email(address)?;
    if address == actor.email {
        return Err(CommandError::new(
            ErrorCode::CannotShareWithSelf,
            "you cannot share a project with yourself",
        ));
    }
    let recipient = state.account_by_email(&address).ok_or_else(|| {
        CommandError::new(
            ErrorCode::RecipientNotFound,
            format!("`{address}` has no account at this store"),
        )
    })?;
    let (starts_at, expires_at) = window::given(window.0, window.1, ctx.now)?;
    if let Some(existing) = state.share(project_id, &recipient.id) {
        if existing.status_at(ctx.now) != GrantStatus::Expired {
            return Err(CommandError::new(
                ErrorCode::AlreadyShared,
                format!("the project is already shared with `{address}`"),
            ));
        }
        // An ended share makes way for the new one, once what its end implies is written.
        let removed = sweep::leave_with_share(state, out, existing);
        sweep::share_expired(ctx.now, out, existing, removed);
    }
    out.change(Change::PutShare(Share {
        project_id: project_id.clone(),
        account_id: recipient.id.clone(),
        shared_at: ctx.now,
        starts_at,
        expires_at,
        next_notice_at: window::first_notice(expires_at, ctx.now),
    }));
    out.event(ctx.event(EventPayload::ProjectShared {
        project_id: project_id.clone(),
        account_id: recipient.id.clone(),
        email: address,
        starts_at,
        expires_at,
    }));
    Ok(())
}

pub(crate) fn update_share(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    (project_id, account_id): (&ProjectId, &AccountId),
    edit: (Option<Option<&str>>, Option<Option<&str>>),
) -> Result<(), CommandError> {
    permit(state, ctx, Action::ProjectShare, project_id.as_str())?;
    let share = state.share(project_id, account_id).ok_or_else(|| {
        not_found(
            ErrorCode::ShareNotFound,
            "share with account",
            account_id.as_str(),
        )
    })?;
    let status = share.status_at(ctx.now);
    if status == GrantStatus::Expired {
        return Err(window::grant_expired("this share"));
    }
    let stored = (share.starts_at, share.expires_at);
    let (starts_at, expires_at) = window::changed(stored, share.shared_at, status, edit, ctx.now)?;
    let next = Share {
        starts_at,
        expires_at,
        next_notice_at: if expires_at == share.expires_at {
            share.next_notice_at
        } else {
            window::first_notice(expires_at, ctx.now)
        },
        ..share.clone()
    };
    if expires_at != share.expires_at {
        // The recipient's licenses leave the project with its share: at its new end.
        for license in state.licenses_on(project_id) {
            if let Some(assignment) =
                (license.assignment.as_ref()).filter(|a| &a.assigned_by == account_id)
            {
                let mut moved = license.clone();
                moved.assignment = Some(Assignment {
                    until: expires_at,
                    ..assignment.clone()
                });
                out.change(Change::PutLicense(moved));
            }
        }
    }
    out.event(ctx.event(EventPayload::ShareUpdated {
        project_id: project_id.clone(),
        account_id: account_id.clone(),
        starts_at: next.start(),
        expires_at,
    }));
    out.change(Change::PutShare(next));
    Ok(())
}

pub(crate) fn unshare(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    project_id: &ProjectId,
    account_id: &AccountId,
) -> Result<(), CommandError> {
    permit(state, ctx, Action::ProjectShare, project_id.as_str())?;
    let share = state.share(project_id, account_id).ok_or_else(|| {
        not_found(
            ErrorCode::ShareNotFound,
            "share with account",
            account_id.as_str(),
        )
    })?;
    let mut removed = sweep::leave_with_share(state, out, share);
    if sweep::end_unrecorded(share.expires_at, share.next_notice_at, ctx.now) {
        // Its window had ended: those licenses left the project then.
        sweep::share_expired(ctx.now, out, share, std::mem::take(&mut removed));
    }
    out.change(Change::DeleteShare(share.clone()));
    out.event(ctx.event(EventPayload::ProjectUnshared {
        project_id: project_id.clone(),
        account_id: account_id.clone(),
        removed_license_keys: removed,
    }));
    Ok(())
}

pub(crate) fn assign(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    project_id: &ProjectId,
    license_key: &LicenseKey,
) -> Result<(), CommandError> {
    permit(
        state,
        ctx,
        Action::ProjectLicensesAssign,
        project_id.as_str(),
    )?;
    // Only one's own license may be assigned; someone else's is as good as unknown.
    let license = state
        .license(license_key)
        .filter(|l| l.owner_id == ctx.actor)
        .ok_or_else(|| not_found(ErrorCode::LicenseNotFound, "license", license_key.as_str()))?;
    if license.is_expired(ctx.now) {
        return Err(CommandError::new(
            ErrorCode::LicenseExpired,
            format!("license `{license_key}` has expired"),
        ));
    }
    if let Some(current) = license.project_at(ctx.now) {
        return Err(CommandError::new(
            ErrorCode::LicenseAlreadyAssigned,
            format!("license `{license_key}` is already on project `{current}`"),
        ));
    }
    // A recipient's license stays on the project as long as its share does.
    let until = (state.active_share(project_id, &ctx.actor, ctx.now)).and_then(|s| s.expires_at);
    out.change(Change::PutLicense(License {
        assignment: Some(Assignment {
            project_id: project_id.clone(),
            assigned_by: ctx.actor.clone(),
            assigned_at: ctx.now,
            until,
        }),
        ..license.clone()
    }));
    out.event(ctx.event(EventPayload::LicenseAssigned {
        license_key: license_key.clone(),
        project_id: project_id.clone(),
    }));
    Ok(())
}

pub(crate) fn unassign(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    project_id: &ProjectId,
    license_key: &LicenseKey,
) -> Result<(), CommandError> {
    let role = project_role(state, &ctx.actor, project_id, ctx.now)
        .ok_or_else(|| not_found(ErrorCode::ProjectNotFound, "project", project_id.as_str()))?;
    // The owner may take any license off its project; a recipient only the ones it assigned.
    let license = state
        .license(license_key)
        .filter(|l| l.project_at(ctx.now) == Some(project_id))
        .filter(|l| role == ProjectRole::Owner || l.assigned_by() == Some(&ctx.actor))
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::LicenseNotOnProject,
                format!("license `{license_key}` is not on this project"),
            )
        })?;
    let mut freed = license.clone();
    freed.unassign();
    out.change(Change::PutLicense(freed));
    out.event(ctx.event(EventPayload::LicenseUnassigned {
        license_key: license_key.clone(),
        project_id: project_id.clone(),
    }));
    Ok(())
}
