import { describe, expect, it } from "vitest";
import { groupFieldsFrom, userFieldsFrom } from "../../src/proposals/identity-fields.js";

describe("SCIM resources as identity file fields", () => {
  it("takes an Entra user with a string 'False', a primary email listed second and no displayName", () => {
    const fields = userFieldsFrom({
      id: "u1",
      externalId: "ext-1",
      userName: "Dana@Contoso.com",
      active: "False",
      name: { givenName: "Dana", familyName: "Scully" },
      emails: [
        { value: "dana.home@example.com", type: "home" },
        { value: "Dana@Contoso.com", type: "work", primary: "True" },
        { value: "dana.home@example.com", type: "other" },
      ],
      password: "never-written",
    });
    expect(fields).toEqual({
      id: "u1",
      externalId: "ext-1",
      userName: "Dana@Contoso.com",
      displayName: "Dana Scully",
      name: { givenName: "Dana", familyName: "Scully" },
      active: false,
      emails: ["Dana@Contoso.com", "dana.home@example.com"],
    });
  });

  it("defaults active to true and leaves out what the IdP did not send", () => {
    expect(userFieldsFrom({ id: "u2", userName: "okta@example.com", externalId: null })).toEqual({
      id: "u2",
      userName: "okta@example.com",
      active: true,
      emails: [],
    });
  });

  it("lists a group's members by userName, sorted, dropping ids that are not known users", () => {
    const names = new Map([
      ["u1", "zoe@example.com"],
      ["u2", "adam@example.com"],
    ]);
    const fields = groupFieldsFrom(
      {
        id: "g1",
        displayName: "payments",
        members: [{ value: "u1" }, { value: "nested-group" }, { value: "u2" }, { value: "u1" }],
      },
      (id) => names.get(id),
    );
    expect(fields).toEqual({
      id: "g1",
      displayName: "payments",
      members: ["adam@example.com", "zoe@example.com"],
    });
  });
});
