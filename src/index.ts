export {
	Defaults,
	QueryConfig,
	Default_LockerSpec_ReportDataStoreError,
	Default_RemoteChangeSender_ReportDataStoreError,
} from "./config";
export type { DefaultsTable } from "./config";
export {
	GetRequestErrorKind,
	classifyRequestError,
	ErrorMessages,
	formatErrorMessage,
	LockerErrorCreate,
	LockerErrorForKey,
} from "./errors";
export type { RequestErrorKind, RequestErrorClass, LockerErrorKind, LockerError } from "./errors";
export { TableDeepCopy } from "./util/TableDeepCopy";
export { TableRestoreBackup } from "./util/TableRestoreBackup";
export { LogErrorVariations, LogPrefixCreate } from "./util/log";
export type {
	SaveData,
	StoredSession,
	PurchaseRecord,
	ProductCreditRecord,
	SD_RemoteChange_Base,
	RawSaveData,
} from "./protocol/format";
export type { SaveDataMigrator, SaveDataPatcher, SaveDataMigrators, SaveDataPatchers } from "./protocol/migrate";
export {
	markForeignWrite,
	appendRemoteChanges,
	remoteChangesForWrite,
	readRemoteChanges,
} from "./protocol/remoteChanges";
export { isSessionStale, holderWriteTimeMs } from "./protocol/staleness";
export { ownershipProblem } from "./protocol/ownership";
export { MigratorBuilder, MigratorBuilderCreate } from "./migration/MigratorBuilder";
export {
	RequestGateway,
	RequestGatewayCreate,
	DefaultGateway,
	MAX_VALUE_LENGTH,
	CLOCK_PROBE_KEY,
} from "./gateway/RequestGateway";
export type { RequestGatewayOptions, GatewayResult } from "./gateway/RequestGateway";
export type { RequestPriority } from "./gateway/RequestPriority";
export type { RequestRateLimit } from "./gateway/RequestRateLimit";
export type { BudgetSource } from "./gateway/RequestBudget";
export { FakeDataStore } from "./gateway/FakeDataStore";
export type { FakeDataStoreOptions } from "./gateway/FakeDataStore";
export type { DataStoreLike, KeyInfoLike } from "./gateway/types";
export type { LockerSpec, LoadStatus, LifecycleStatus, LifecycleReason, LockerPhase } from "./locker/LockerSpec";
export { LockerState, DEFAULT_HOLD_KEY } from "./locker/LockerState";
export { SavedConnection } from "./locker/SavedConnection";
export type { SavedCallback } from "./locker/SavedConnection";
export { LockerCreate, LockerCreatePlayer } from "./locker/LockerCreate";
export { LockersShutdown } from "./shutdown/LockersShutdown";
export type { LockersShutdownOptions } from "./shutdown/LockersShutdown";
export { EasyStoreCreate } from "./easy/EasyStoreCreate";
export { EasyStore } from "./easy/EasyStore";
export type { EasyStoreConfig, EasyStoreOptions, EasyStoreSettings } from "./easy/EasyStoreOptions";
export { EasyProfile } from "./easy/EasyProfile";
export { EasyShutdown, EASY_SHUTDOWN_BUDGET } from "./easy/EasyShutdown";
export type { EasyServices } from "./easy/EasyServices";
export { StudioDataStore } from "./easy/StudioDataStore";
export { ReleaseAnnouncer } from "./easy/ReleaseAnnouncer";
export { ProductPurchaser, ProductPurchaserCreate } from "./purchases/ProductPurchaser";
export type { ProductPurchaserOptions } from "./purchases/ProductPurchaser";
export type {
	ProductOp,
	ProductProcessFunction,
	ReceiptInfo,
	PendingProductPurchase,
	PurchaseCallback,
} from "./purchases/types";
export { DummyPPP_FromReceiptInfo, DummyPPP_FromIds, DummyReceiptInfo_FromIds } from "./purchases/dummy";
export { ProcessReceiptCreate, ProcessReceiptBind } from "./purchases/ProcessReceipt";
export type { ProcessReceiptOptions, ProcessReceiptBindOptions } from "./purchases/ProcessReceipt";
export type { GiftRecord, StoredPurchaseRecord } from "./purchases/ledger";
export { RemoteChangeSender, RemoteChangeSenderCreate } from "./remote/RemoteChangeSender";
export type { RemoteChangeSenderOptions, RemoteChangeSend } from "./remote/RemoteChangeSender";
export {
	RemoteChangeProcessorCreate,
	RemoteChangeListener,
	RemoteChangeListenerCreate,
} from "./remote/RemoteChangeReceiver";
export type {
	RemoteChangeHandlers,
	RemoteChangeProcessorOptions,
	RemoteChangeListenerOptions,
} from "./remote/RemoteChangeReceiver";
export type { QueuedRemoteChange, AppliedRemoteChange } from "./remote/protocol";
export { PlayerProfilesCreate, PlayerProfiles, PlayerKickMessages } from "./easy/PlayerProfiles";
export type { PlayerProfilesOptions, PlayersLike } from "./easy/PlayerProfiles";
