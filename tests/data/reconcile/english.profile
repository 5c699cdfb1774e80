# english.profile - an HIS whose charges export has English headers in its
# own order, money in fen and dates as 2026/11/20 9:05 (tests/cli/reconcile.sh).
# The other kinds keep the default Chinese headers.

[profile]
name = english-his
encoding = auto
timezone = local

[charges]
money_unit = fen                 # 700 means 7.00 yuan
date_format = YYYY/M/D h:mm      # seconds are not exported
his_id = Serial No | SerialNo
patient_id = Patient ID
patient_name = Patient Name
item_code = Item Code
item_name = Item Name
qty = Quantity
unit_price = Unit Price (fen)
amount = Amount (fen)
occurred_at = Service Time
entered_at = Entry Time
operator = Clerk
invoice_no = Receipt No
dept = Department
ref = Remarks

[registrations]
his_id = 流水号
patient_id = 患者编号
patient_name = 姓名
sex = 性别
dept = 科室
doctor = 医生
fee = 挂号费
occurred_at = 发生时间
entered_at = 录入时间
operator = 操作员
invoice_no = 发票号
ref = 备注

[orders]
his_id = 流水号
patient_id = 患者编号
patient_name = 姓名
item_code = 项目编码
item_name = 项目名称
qty = 数量
occurred_at = 发生时间
entered_at = 录入时间
operator = 操作员
dept = 科室
ref = 备注

[dispenses]
his_id = 流水号
patient_id = 患者编号
item_code = 项目编码
item_name = 项目名称
qty = 数量
occurred_at = 发生时间
entered_at = 录入时间
operator = 操作员
source_no = 处方/请领单号
ref = 备注

[invoices]
void_status = 作废
invoice_no = 发票号
status = 状态
amount = 金额
operator = 操作员
occurred_at = 发生时间
