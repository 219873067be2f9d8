package io.resticmanager.jobs;

import io.resticmanager.kit.Problem;
import io.resticmanager.proto.JobKind;
import io.resticmanager.proto.Principal;
import io.resticmanager.proto.RepoAccess;

import java.time.Instant;
import java.util.UUID;

/**
 * Creates restore jobs. The job runs on the target host (default: the source host itself) and reads the
 * SOURCE host's repository with its backup credential (restore only reads). It queues like every job: one
 * job per repository at a time, counted on the source repository. Cross-host, the target agent receives the
 * source credential in this job's {@code job.start} only, in memory, gone when the job ends — the
 * "single-job grant"; nothing about it is stored on either side.
 */
final class Restores {
    private final JobStore store;
    private final HostPresenceStore presence;
    private final InventoryClient inventory;
    private final Signals signals;

    Restores(JobStore store, HostPresenceStore presence, InventoryClient inventory, Signals signals) {
        this.store = store;
        this.presence = presence;
        this.inventory = inventory;
        this.signals = signals;
    }

    /** The queued job and whose repository it reads. */
    record Created(Job job, RestoreStore.Source source) {
    }

    Created create(String sourceHostId, RestoreRequest request, Principal principal) {
        // unknown source host → 404, no repository / disabled → 409 (the secrets are dropped here, fetched at dispatch)
        RepoAccess primary = inventory.repoAccess(sourceHostId, JobKind.RESTORE);
        // the snapshot may live in any of the host's repositories: the restore reads the one that holds it
        String snapshotRepo = inventory.snapshotRepo(sourceHostId, request.snapshotId(), principal)
                .orElseThrow(() -> Problem.notFound("host " + sourceHostId + " has no snapshot " + request.snapshotId()));
        RepoAccess access = snapshotRepo.isEmpty() || snapshotRepo.equals(primary.repoId()) ? primary
                : inventory.repoAccess(sourceHostId, JobKind.RESTORE, java.util.Optional.of(snapshotRepo));
        String targetHostId = request.targetHostId().orElse(sourceHostId);
        if (!targetHostId.equals(sourceHostId) && !inventory.hostExists(targetHostId, principal)) {
            throw Problem.unprocessable("target host " + targetHostId + " does not exist");
        }
        String id = UUID.randomUUID().toString();
        RestoreStore.Source source = new RestoreStore.Source(id, sourceHostId, access.repoId(), targetHostId);
        String reason = presence.online(targetHostId).orElse(true) ? null : Dispatcher.HOST_OFFLINE;
        store.write(tx -> {
            tx.insertJob(id, targetHostId, access.repoId(), JobKind.RESTORE, request.params(), principal.userId(),
                         principal.username(), Instant.now(), reason);
            RestoreStore.insert(tx, source);
            return null;
        });
        signals.dispatch();
        return new Created(store.find(id).orElseThrow(), source);
    }
}
