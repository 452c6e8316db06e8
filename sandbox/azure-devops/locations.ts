/**
 * The resource locations the sandbox serves, with the GUIDs azure-devops-node-api hard-codes and route
 * templates as Azure DevOps answers them. Versions are advertised as released at 7.2, so the client sends
 * exactly the api-version it asks for (see docs/research/azure-devops-node-api.md).
 */
export interface ResourceLocation {
  id: string;
  area: string;
  resourceName: string;
  routeTemplate: string;
  resourceVersion: number;
}

export const LOCATIONS: ResourceLocation[] = [
  {
    id: "e81700f7-3be2-46de-8624-2eb35882fcaa",
    area: "Location",
    resourceName: "ResourceAreas",
    routeTemplate: "_apis/{resource}/{areaId}",
    resourceVersion: 1,
  },
  {
    id: "00d9565f-ed9c-4a06-9a50-00e7896ccab4",
    area: "Location",
    resourceName: "ConnectionData",
    routeTemplate: "_apis/{resource}",
    resourceVersion: 1,
  },
  {
    id: "603fe2ac-9723-48b9-88ad-09305aa6c6e1",
    area: "core",
    resourceName: "projects",
    routeTemplate: "_apis/{resource}/{*projectId}",
    resourceVersion: 4,
  },
  {
    id: "9a1b74b4-2ca8-4a9f-8470-c2f2e6fdc949",
    area: "operations",
    resourceName: "operations",
    routeTemplate: "_apis/{resource}/{operationId}",
    resourceVersion: 1,
  },
  {
    id: "225f7195-f9c7-4d14-ab28-a83f7ff77e1f",
    area: "git",
    resourceName: "repositories",
    routeTemplate: "{project}/_apis/{area}/{resource}/{repositoryId}",
    resourceVersion: 2,
  },
  {
    id: "ea98d07b-3c87-4971-8ede-a613694ffb55",
    area: "git",
    resourceName: "pushes",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{pushId}",
    resourceVersion: 3,
  },
  {
    id: "2d874a60-a811-4f62-9c9f-963a6ea0a55b",
    area: "git",
    resourceName: "refs",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*filter}",
    resourceVersion: 2,
  },
  {
    id: "fb93c0db-47ed-4a31-8c20-47552878fb44",
    area: "git",
    resourceName: "items",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*path}",
    resourceVersion: 1,
  },
  {
    id: "9946fd70-0d40-406e-b686-b4744cbbcc37",
    area: "git",
    resourceName: "pullRequests",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/pullrequests/{pullRequestId}",
    resourceVersion: 2,
  },
  {
    id: "01a46dea-7d46-4d40-bc84-319e7c260d99",
    area: "git",
    resourceName: "pullRequests",
    routeTemplate: "{project}/_apis/{area}/pullrequests/{pullRequestId}",
    resourceVersion: 2,
  },
  {
    id: "4b6702c7-aa35-4b89-9c96-b9abf6d3e540",
    area: "git",
    resourceName: "pullRequestReviewers",
    routeTemplate:
      "{project}/_apis/{area}/repositories/{repositoryId}/pullrequests/{pullRequestId}/reviewers/{reviewerId}",
    resourceVersion: 1,
  },
  {
    id: "dad91cbe-d183-45f8-9c6e-9c1164472121",
    area: "policy",
    resourceName: "configurations",
    routeTemplate: "{project}/_apis/{area}/{resource}/{configurationId}",
    resourceVersion: 1,
  },
  {
    id: "44096322-2d3d-466a-bb30-d1b7de69f61f",
    area: "policy",
    resourceName: "types",
    routeTemplate: "{project}/_apis/{area}/{resource}/{typeId}",
    resourceVersion: 1,
  },
  {
    id: "c23ddff5-229c-4d04-a80b-0fdce9f360c8",
    area: "policy",
    resourceName: "evaluations",
    routeTemplate: "{project}/_apis/{area}/{resource}",
    resourceVersion: 1,
  },
  {
    id: "28e1305e-2afe-47bf-abaf-cbb0e6a91988",
    area: "pipelines",
    resourceName: "pipelines",
    routeTemplate: "{project}/_apis/{area}/{pipelineId}",
    resourceVersion: 1,
  },
  {
    id: "7859261e-d2e9-4a68-b820-a5d84cc5bb3d",
    area: "pipelines",
    resourceName: "runs",
    routeTemplate: "{project}/_apis/{area}/{pipelineId}/{resource}/{runId}",
    resourceVersion: 1,
  },
  {
    id: "35a80daf-7f30-45fc-86e8-6b813d9c90df",
    area: "build",
    resourceName: "logs",
    routeTemplate: "{project}/_apis/{area}/builds/{buildId}/{resource}/{logId}",
    resourceVersion: 2,
  },
  {
    id: "a8c47e17-4d56-4a56-92bb-de7ea7dc65be",
    area: "distributedtask",
    resourceName: "pools",
    routeTemplate: "_apis/{area}/{resource}/{poolId}",
    resourceVersion: 1,
  },
  {
    id: "900fa995-c559-4923-aae7-f8424fe4fbea",
    area: "distributedtask",
    resourceName: "queues",
    routeTemplate: "{project}/_apis/{area}/{resource}/{queueId}",
    resourceVersion: 1,
  },
  {
    id: "ef5b7057-ffc3-4c77-bbad-c10b4a4abcc7",
    area: "distributedtask",
    resourceName: "variablegroups",
    routeTemplate: "_apis/{area}/{resource}/{groupId}",
    resourceVersion: 2,
  },
  {
    id: "f5b09dd5-9d54-45a1-8b5a-1c8287d634cc",
    area: "distributedtask",
    resourceName: "variablegroups",
    routeTemplate: "{project}/_apis/{area}/{resource}/{groupId}",
    resourceVersion: 2,
  },
  {
    id: "8572b1fc-2482-47fa-8f74-7e3ed53ee54b",
    area: "distributedtask",
    resourceName: "environments",
    routeTemplate: "{project}/_apis/{area}/{resource}/{environmentId}",
    resourceVersion: 1,
  },
  {
    id: "86c8381e-5aee-4cde-8ae4-25c0c7f5eaea",
    area: "PipelinesChecks",
    resourceName: "configurations",
    routeTemplate: "{project}/_apis/pipelines/checks/{resource}/{id}",
    resourceVersion: 1,
  },
  {
    id: "62d3d110-0047-428c-ad3c-4fe872c91c74",
    area: "wit",
    resourceName: "workItems",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Azure DevOps' own template: a literal $ before the {type} value.
    routeTemplate: "{project}/_apis/{area}/{resource}/${type}",
    resourceVersion: 3,
  },
  {
    id: "72c7ddf8-2cdc-4f60-90cd-ab71c14a399b",
    area: "wit",
    resourceName: "workItems",
    routeTemplate: "{project}/_apis/{area}/{resource}/{id}",
    resourceVersion: 3,
  },
  {
    id: "1a9c53f7-f243-4447-b110-35ef023636e4",
    area: "wit",
    resourceName: "wiql",
    routeTemplate: "{project}/{team}/_apis/{area}/{resource}",
    resourceVersion: 2,
  },
  {
    id: "14e48fdc-2c8b-41ce-a0c3-e26f6cc55bd0",
    area: "serviceendpoint",
    resourceName: "endpoints",
    routeTemplate: "_apis/{area}/{resource}/{endpointId}",
    resourceVersion: 4,
  },
  {
    id: "e85f1c62-adfc-4b74-b618-11a150fb195e",
    area: "serviceendpoint",
    resourceName: "endpoints",
    routeTemplate: "{project}/_apis/{area}/{resource}/{endpointId}",
    resourceVersion: 4,
  },
  // Graph (on vssps.dev.azure.com in the cloud; the sandbox serves every area from the organisation's URL).
  {
    id: "048aee0a-7072-4cde-ab73-7af77b1e0b4e",
    area: "graph",
    resourceName: "descriptors",
    routeTemplate: "_apis/{area}/{resource}/{storageKey}",
    resourceVersion: 1,
  },
  {
    id: "ebbe6af8-0b91-4c13-8cf1-777c14858188",
    area: "graph",
    resourceName: "groups",
    routeTemplate: "_apis/{area}/{resource}/{groupDescriptor}",
    resourceVersion: 1,
  },
  {
    id: "005e26ec-6b77-4e4f-a986-b3827bf241f5",
    area: "graph",
    resourceName: "users",
    routeTemplate: "_apis/{area}/{resource}/{userDescriptor}",
    resourceVersion: 1,
  },
  {
    id: "3fd2e6ca-fb30-443a-b579-95b19ed0934c",
    area: "graph",
    resourceName: "memberships",
    routeTemplate: "_apis/{area}/{resource}/{subjectDescriptor}/{containerDescriptor}",
    resourceVersion: 1,
  },
  {
    id: "e34b6394-6b30-4435-94a9-409a5eef3e31",
    area: "graph",
    resourceName: "memberships",
    routeTemplate: "_apis/{area}/{resource}/{subjectDescriptor}",
    resourceVersion: 1,
  },
  {
    id: "4dd4d168-11f2-48c4-83e8-756fa0de027c",
    area: "graph",
    resourceName: "subjectlookup",
    routeTemplate: "_apis/{area}/{resource}",
    resourceVersion: 1,
  },
  {
    id: "ac08c8ff-4323-4b08-af90-bcd018d380ce",
    area: "security",
    resourceName: "accesscontrolentries",
    routeTemplate: "_apis/{resource}/{securityNamespaceId}",
    resourceVersion: 1,
  },
  {
    id: "18a2ad18-7571-46ae-bec7-0c7da1495885",
    area: "security",
    resourceName: "accesscontrollists",
    routeTemplate: "_apis/{resource}/{securityNamespaceId}",
    resourceVersion: 1,
  },
  {
    // PAT lifecycle; on the cloud its resource area (55967393-20ef-45c6-a96c-b5d5d5986a9a) is served by vssps.
    id: "2c1965e2-28da-4aa1-bc64-b8a58537ae9b",
    area: "tokens",
    resourceName: "pats",
    routeTemplate: "_apis/{area}/{resource}/{id}",
    resourceVersion: 1,
  },
];

/** The locations of an area, matched case-insensitively as Azure DevOps does. */
export const locationsOf = (area: string) =>
  LOCATIONS.filter((l) => l.area.toLowerCase() === area.toLowerCase());

export const locationJson = (l: ResourceLocation) => ({
  ...l,
  minVersion: "1.0",
  maxVersion: "7.2",
  releasedVersion: "7.2",
});
