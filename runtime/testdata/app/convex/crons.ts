import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();
crons.interval("bump often", { minutes: 5 }, internal.messages.bump, {});
crons.cron("nightly", "0 3 * * *", internal.messages.bump, {});

export default crons;
