/** Discovery endpoints (reference §2 checks 1-7). */
import { describe, expect, it } from "vitest";
import { ENTERPRISE_URN, ERROR_URN, GROUP_URN, USER_URN, pluck } from "./support/scim-server.js";
import { shareScim } from "./support/share-scim.js";

const scim = shareScim();

describe("discovery", () => {
  it("ServiceProviderConfig lists bearer auth, patch, no bulk, filter maxResults and no etag", async () => {
    const reply = await scim.call("GET", "/ServiceProviderConfig");
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: expect.any(Number) },
      etag: { supported: false },
      sort: { supported: true },
      changePassword: { supported: false },
      authenticationSchemes: [expect.objectContaining({ type: "oauthbearertoken", primary: true })],
    });
  });

  it("ResourceTypes lists User (with the enterprise extension) and Group; unknown → 404", async () => {
    const list = await scim.call("GET", "/ResourceTypes");
    expect(pluck(list.body.Resources, "id")).toEqual(["User", "Group"]);
    const user = await scim.call("GET", "/ResourceTypes/User");
    expect(user.body).toMatchObject({
      endpoint: "/Users",
      schema: USER_URN,
      schemaExtensions: [{ schema: ENTERPRISE_URN, required: false }],
    });
    const missing = await scim.call("GET", "/ResourceTypes/Device");
    expect(missing.status).toBe(404);
    expect(missing.body.schemas).toEqual([ERROR_URN]);
  });

  it("Schemas include the resource schemas and the Schema/ResourceType/ServiceProviderConfig meta-schemas", async () => {
    const list = await scim.call("GET", "/Schemas");
    expect(pluck(list.body.Resources, "id")).toEqual(
      expect.arrayContaining([
        USER_URN,
        ENTERPRISE_URN,
        GROUP_URN,
        "urn:ietf:params:scim:schemas:core:2.0:Schema",
        "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
      ]),
    );
    for (const reference of [USER_URN, ENTERPRISE_URN, GROUP_URN]) {
      const one = await scim.call("GET", `/Schemas/${reference}`);
      expect(one.status).toBe(200);
      expect(one.body.meta.location).toBe(`${scim.root}/Schemas/${reference}`);
    }
    const user = (await scim.call("GET", `/Schemas/${USER_URN}`)).body;
    const emails = (user.attributes as { name: string; subAttributes?: { name: string }[] }[]).find(
      (a) => a.name === "emails",
    );
    expect(emails?.subAttributes?.map((sub) => sub.name)).toEqual(expect.arrayContaining(["value", "type"]));
    const group = (await scim.call("GET", `/Schemas/${GROUP_URN}`)).body;
    expect(pluck(group.attributes, "name")).toEqual(expect.arrayContaining(["displayName", "members"]));
    expect((await scim.call("GET", "/Schemas/urn:example:nothing")).status).toBe(404);
  });

  it("answers writes to discovery endpoints with 405 and an Allow header", async () => {
    for (const path of ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/Schemas/" + USER_URN]) {
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const reply = await scim.call(method, path, method === "DELETE" ? undefined : {});
        expect(reply.status, `${method} ${path}`).toBe(405);
        expect(reply.headers.get("allow")).toBe("GET");
        expect(reply.body).toMatchObject({ schemas: [ERROR_URN], status: "405" });
      }
    }
  });

  it("answers an unknown URL under the base path with a 404 SCIM error, and /Bulk with 501", async () => {
    const reply = await scim.call("GET", "/NoSuchThing/at/all");
    expect(reply.status).toBe(404);
    expect(reply.headers.get("content-type")).toContain("application/scim+json");
    expect(reply.body).toMatchObject({ schemas: [ERROR_URN], status: "404", detail: expect.any(String) });
    const bulk = await scim.call("POST", "/Bulk", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [],
    });
    expect(bulk.status).toBe(501);
    expect(bulk.body.status).toBe("501");
  });
});
